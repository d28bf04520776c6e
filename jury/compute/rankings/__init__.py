"""Rankings for a round: several methods side by side, agreement, leniency and ties.

Pure computation on plain inputs: no Django models, no database. The caller (selectors, views,
exports, the results certificate) loads the submitted reviews of one round and category and
passes them in as `ReviewScores` objects (or tuples / mappings with the same fields),
together with the score scale.

Conventions
-----------
- Higher is better. Each method gives every entry a *value* (full precision, used for ordering)
  and a *score* (`Decimal`, quantized to 0.01 with ROUND_HALF_UP, for display).
- Values that agree to 9 decimals count as equal, so floating-point noise never decides an order.
- Ranks are competition ranks ("1, 2, 2, 4"): 1 + the number of entries strictly ahead.
- Deterministic: reviews are put in a canonical order (entry id, juror id) first and the bootstrap
  draws from a seeded `numpy.random.Generator`. The same input gives the same report.
- Messages for organisers are a stable `code` plus a `text` that is a lazy translation
  (`gettext_lazy`, English msgids, Dutch by default). Texts render in the active language, so
  reading or comparing them needs Django's settings and app registry (`django.setup()`).

Modules
-------
- `inputs`: `ReviewScores`, `Scale`, validation (`RankingInputError`) and the prepared arrays.
- `common`: method names and labels, `Note`, `MethodResult`, display rounding and ranks.
- `scores`: mean, median, trimmed mean, per-juror z-scores and the additive juror-effect model.
- `ordinal`: Borda count and Schulze.
- `methods`: one entry point per method (`compute_method`), a per-input cache and `rank_by`.
- `uncertainty`: spread per entry and bootstrap rank intervals.
- `agreement`: Krippendorff's alpha and its reading, juror leniency, score distributions.
- `report`: the official order with the tie rule (`official_ranking`) and `compute_ranking`, which
  puts every method side by side with spread, bootstrap rank intervals, alpha, leniency,
  distributions, explicit ties and rank-move flags.
"""

from .agreement import alpha_reading, juror_leniency, krippendorff_agreement, score_distribution
from .common import CENT, METHODS
from .inputs import RankingInputError, ReviewScores
from .methods import rank_by
from .ordinal import schulze_layers
from .report import compute_ranking, official_ranking
from .scores import additive_model, review_zscores
from .uncertainty import bootstrap_rank_intervals, entry_spread

__all__ = [
    "CENT",
    "METHODS",
    "RankingInputError",
    "ReviewScores",
    "additive_model",
    "alpha_reading",
    "bootstrap_rank_intervals",
    "compute_ranking",
    "entry_spread",
    "juror_leniency",
    "krippendorff_agreement",
    "official_ranking",
    "rank_by",
    "review_zscores",
    "schulze_layers",
    "score_distribution",
]
