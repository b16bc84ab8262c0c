"""The use cases: one module per thing a client can ask of the mock LoyaPro."""
