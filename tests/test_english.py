from metricsctl.english import counted


def test_one_is_singular_everything_else_plural() -> None:
    assert counted(1, "alert") == "1 alert"
    assert counted(0, "alert") == "0 alerts"
    assert counted(2, "recording rule") == "2 recording rules"
    assert counted(1_200, "file") == "1,200 files"


def test_irregular_and_given_plurals() -> None:
    assert counted(3, "series") == "3 series"
    assert counted(2, "query") == "2 queries"
    assert counted(2, "child", "children") == "2 children"
