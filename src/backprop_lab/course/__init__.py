"""Student-safe helpers: data, plots and public checks. Never imports the engine."""
