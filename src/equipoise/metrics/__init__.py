"""Aggregation: intervals of means (`bootstrap`: Wilson and Jeffreys), task, category and suite
scores (`aggregate`), the safety score (`safety`), combinations of safety and capability
(`combine`), judge agreement (`agreement`). Import the module you need: `combine` is imported by
the CLI at start-up and must not pay for numpy or scikit-learn."""
