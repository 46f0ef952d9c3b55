"""Scoring medcoder against gold-coded notes: micro/macro F1, calibration, PCS and E/M agreement."""
