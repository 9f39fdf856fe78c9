"""Pure business rules: no SQL, no Textual, no clock. Time always comes in as an argument."""
