"""Who a person is: IIN parsing and the verification seam (see verification.py)."""
