"""Pure data: schema, vocabularies, rules, messages, dates, the columnar frame and synthetic data. No Dash."""
