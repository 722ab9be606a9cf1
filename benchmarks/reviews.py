"""Short reviews written for the set benchmark (issue 8): clear-cut and mixed, film and product, 5-12 words.

Written by the team for this benchmark (not taken from a data set), so none of them is in the stand-in
model's training data. Kept short on purpose: a review of n words has at most 2^n distinct perturbations,
which bounds what the benchmark spends on the (slow) transformer.
"""

from __future__ import annotations

# (text, kind): "clear" = one sentiment throughout; "mixed" = praise and complaint in one review.
REVIEWS: tuple[tuple[str, str], ...] = (
    ("A wonderful film with a brilliant cast.", "clear"),
    ("Utterly boring, I fell asleep twice.", "clear"),
    ("The best thriller I have seen in years.", "clear"),
    ("Dull plot, wooden acting, a total waste of money.", "clear"),
    ("Charming, funny and beautifully shot.", "clear"),
    ("Terrible dialogue and an ending that makes no sense.", "clear"),
    ("I loved every minute of it.", "clear"),
    ("The worst sequel ever made.", "clear"),
    ("A moving story, superbly acted.", "clear"),
    ("Cheap effects and a lazy script.", "clear"),
    ("Fast delivery and the blender works perfectly.", "clear"),
    ("The charger broke after two days.", "clear"),
    ("Gripping from start to finish, highly recommended.", "clear"),
    ("Painfully slow and completely predictable.", "clear"),
    ("A delightful, warm comedy for the whole family.", "clear"),
    ("Great acting, but the plot was dull.", "mixed"),
    ("Beautiful visuals cannot save a weak story.", "mixed"),
    ("The first half drags, the finale is superb.", "mixed"),
    ("Funny at times, yet far too long.", "mixed"),
    ("Good idea, poor execution.", "mixed"),
    ("The music is lovely but the acting is awful.", "mixed"),
    ("Not bad, though I expected more.", "mixed"),
    ("A clever premise ruined by a silly ending.", "mixed"),
    ("Solid sound quality, flimsy plastic case.", "mixed"),
    ("The lead is brilliant, the rest of the cast forgettable.", "mixed"),
    ("Slow start, but it grows on you.", "mixed"),
    ("Great price, terrible customer service.", "mixed"),
    ("Messy and uneven, yet strangely moving.", "mixed"),
    ("Not the worst film this year, not good either.", "mixed"),
    ("Stunning scenery, shame about the script.", "mixed"),
    ("It works, but the battery dies quickly.", "mixed"),
    ("Predictable, but the cast make it fun.", "mixed"),
)
