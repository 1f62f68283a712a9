from metricsctl.cli import main

main()
