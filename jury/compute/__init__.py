"""Pure computation for the jury, without the database: the assignment solver (``solver``),
the rankings and their statistics (``rankings``) and the ranking page's chart geometry
(``charts``). Selectors and services feed them plain values and store what they return."""
