"""Short reviews written for the set benchmark (benchmarks/sets.py): clear-cut and mixed, film and product, 5-12 words.

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

# 40 more reviews, written for choosing the removal operator (benchmarks/removal.py). The operator is
# chosen on DEV only; REPORT (with REVIEWS above) is measured after the choice, to report it. Restaurants, hotels,
# apps, books and products as well as films, 6-15 words, so that a 20,000-sample reference stays affordable.
REMOVAL_DEV: tuple[tuple[str, str], ...] = (
    ("The pasta was fresh and the waiter was very kind.", "clear"),
    ("Cold fries, rude staff and a dirty table.", "clear"),
    ("This app crashes every time I open the camera.", "clear"),
    ("Comfortable beds, spotless rooms and a lovely breakfast.", "clear"),
    ("The novel is gripping and the characters feel real.", "clear"),
    ("Poorly written, badly edited and far too expensive.", "clear"),
    ("My new headphones sound amazing and fit perfectly.", "clear"),
    ("The hotel was noisy and the shower never got warm.", "clear"),
    ("An excellent update, everything runs faster now.", "clear"),
    ("Avoid this vacuum, it stopped working within a week.", "clear"),
    ("The steak was perfect, but dessert was a letdown.", "mixed"),
    ("Friendly host, although the room was tiny and dark.", "mixed"),
    ("The story starts well and then falls apart.", "mixed"),
    ("Cheap and cheerful, but the battery barely lasts a day.", "mixed"),
    ("Great view from the balcony, terrible wifi in the lobby.", "mixed"),
    ("I wanted to love this book, yet it bored me.", "mixed"),
    ("The design is beautiful, the software is buggy.", "mixed"),
    ("Slow service, though the curry was worth the wait.", "mixed"),
    ("Decent camera, awful low light photos.", "mixed"),
    ("Not my favourite album, but a few songs are wonderful.", "mixed"),
)

REMOVAL_REPORT: tuple[tuple[str, str], ...] = (
    ("Delicious pizza and the friendliest staff in town.", "clear"),
    ("The room smelled of smoke and the sheets were stained.", "clear"),
    ("A brilliant, thoughtful book that I could not put down.", "clear"),
    ("The keyboard feels cheap and several keys already stick.", "clear"),
    ("Quick check-in, a quiet room and a superb breakfast buffet.", "clear"),
    ("This game is broken, laggy and full of ads.", "clear"),
    ("The soup was bland and the bread was stale.", "clear"),
    ("Wonderful customer support, they solved my problem in minutes.", "clear"),
    ("The tent kept us dry through a whole night of rain.", "clear"),
    ("Useless instructions and the parts did not fit together.", "clear"),
    ("Lovely staff, but the food took an hour to arrive.", "mixed"),
    ("The phone is fast, the screen scratches far too easily.", "mixed"),
    ("A beautiful setting wasted on a predictable plot.", "mixed"),
    ("Clean and central, yet overpriced for what you get.", "mixed"),
    ("The first chapters are slow, the ending is fantastic.", "mixed"),
    ("Good coffee, uncomfortable chairs and loud music.", "mixed"),
    ("The update fixed the crashes but made the app slower.", "mixed"),
    ("Strong flavours, small portions.", "mixed"),
    ("Nice shoes, although they hurt after an hour of walking.", "mixed"),
    ("The guide was funny, the tour itself was rushed.", "mixed"),
)
