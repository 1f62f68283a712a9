"""promql"""
