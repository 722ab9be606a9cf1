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

# Longer reviews, of the length users often paste (160-620 characters, 28-112 words), for the zoo's calls and
# fidelity where the neighbourhood is far larger than any sample: a review of n <= 9 words has at most 511
# variations, so on the short sets above the 5,000-sample run already sends (almost) all of them and auto cannot
# send fewer. Written by the team for this benchmark, after the short sets; no constant was chosen on them.
LONG_REVIEWS: tuple[tuple[str, str], ...] = (
    ("The hotel was spotless, the staff remembered our names by the second morning, and the breakfast buffet had "
     "fresh fruit every day. We would happily stay here again.", "clear"),
    ("I returned these headphones after a week. The left ear cup crackled whenever I moved my head, the battery "
     "lasted half of what the box promised, and customer service never answered my emails.", "clear"),
    ("A slow start, but once the two brothers finally meet the film finds its heart. The last half hour is as "
     "tender and funny as anything I have seen this year, even if the villain is paper thin.", "mixed"),
    ("Ordered the vegetarian lasagne and the tiramisu. The lasagne was lukewarm in the middle and oddly sweet, "
     "the tiramisu was soggy, and we waited forty minutes for a table we had booked. Nice view of the harbour, "
     "though.", "mixed"),
    ("This is the kettle I wish I had bought years ago. It boils a full litre in under three minutes, the handle "
     "stays cool, the lid opens with one finger and it switches itself off reliably. Quiet, too.", "clear"),
    ("The novel is beautifully written sentence by sentence, and the descriptions of the coast are stunning. But "
     "nothing happens for two hundred pages, the characters all sound alike, and the ending simply stops rather "
     "than concludes. I admired it more than I enjoyed it.", "mixed"),
    ("Avoid this airline. Our flight was cancelled with no explanation, the rebooking line hung up on us twice, "
     "our bags arrived three days later with a broken wheel, and the promised refund still has not appeared after "
     "two months of calls and forms.", "clear"),
    ("Our family has played this board game every weekend since Christmas. The rules take ten minutes to learn, "
     "every round feels different, and the kids love the trading phase. The cards are sturdy and the box keeps "
     "everything in order. Easily the best present this year.", "clear"),
    ("The concert itself was excellent: the band played for over two hours, the sound was crisp even at the back, "
     "and the encore was worth the ticket alone. Getting in and out was a different story. The queue for security "
     "took an hour, the bars ran out of water, and the exits were chaos. Great music, poor organisation.",
     "mixed"),
    ("I bought this vacuum cleaner after reading glowing reviews and I am baffled by them. The suction is weak on "
     "carpet, the bin is tiny and spills when you empty it, the cable is too short to reach the stairs, and it is "
     "louder than my old one. After a month the brush roll started squealing. The only good thing I can say is "
     "that it looks nice in the cupboard, where it now stays.", "clear"),
    ("What a lovely surprise this little theatre production was. The set is simple, just a table and four chairs, "
     "but the cast fill the stage with life. The lead actress moves from comedy to grief in a single scene without "
     "a false note, and the writing is sharp, warm and often very funny. It runs just under two hours with an "
     "interval and not a minute felt wasted. Book early, because the run is short and the house was full.",
     "clear"),
    ("I wanted to love this phone. The screen is gorgeous, the camera takes excellent photos in daylight, and it "
     "feels solid in the hand. Unfortunately the battery barely makes it to the evening, the fingerprint reader "
     "fails about half the time, and the software is stuffed with apps I cannot remove. Night photos are noisy "
     "and smeared. For the price, I expected far more, and I am already looking at other brands for my next "
     "upgrade.", "mixed"),
    ("We spent a week at this campsite in July and it was perfect for a family with young children. The pitches "
     "are large and shaded, the shower blocks were cleaned twice a day, and the small shop sold fresh bread every "
     "morning. The lake is a short walk away with a lifeguard on duty in the afternoons. The owners were friendly "
     "and helpful, lending us a mallet when ours broke. Quiet hours were respected, so everyone slept well. We "
     "have already booked for next summer.", "clear"),
    ("This cookbook looks beautiful on the shelf, but it does not work in a real kitchen. Several recipes list "
     "ingredients that never appear in the method, the oven temperatures are wrong in at least three places, and "
     "the quantities for the bread are so far off that the dough was soup. The photographs are lovely, I admit, "
     "and the introduction about the author's grandmother is touching. Yet a cookbook is for cooking, and after "
     "two ruined dinners I gave up on it and went back to my old favourites.", "clear"),
    ("The new season of the series is a mixed bag. The first three episodes are the best television I have "
     "watched in years: tight, tense, with a mystery that unfolds at exactly the right pace and performances that "
     "stay with you. Then the writers seem to lose their nerve. The middle episodes wander off into subplots "
     "nobody asked for, a beloved character is written out in a clumsy way, and the finale rushes to tie "
     "everything up with a twist that makes little sense. Worth watching for the opening, but lower your "
     "expectations for the rest.", "mixed"),
    ("I have been using this standing desk for six months now and it has changed my working day. Assembly took "
     "about an hour with clear instructions and every screw labelled. The motor is quiet and smooth, the memory "
     "buttons remember my sitting and standing heights, and the top is large enough for two monitors without any "
     "wobble at full height. My back pain has eased noticeably since I started alternating. The cable tray "
     "underneath keeps everything tidy. It is not cheap, but considering how many hours I spend at it, it is "
     "the best money I have spent on my home office, and I would recommend it to anyone working from home.",
     "clear"),
)

# A development set for the longer reviews (benchmarks/sets.py --split train --long-reviews N): 18 more reviews of
# 195-459 characters (35-80 words), restaurants, hotels, apps and products, clear-cut and mixed, written after
# LONG_REVIEWS and sharing no text with any set above. Constants of the stopping rule for this shape are chosen on
# these only; LONG_REVIEWS is the set they are reported on.
LONG_REVIEWS_DEV: tuple[tuple[str, str], ...] = (
    ("The ramen here is the real thing. The broth is rich without being greasy, the noodles have a proper bite, "
     "and the soft egg is cooked exactly right every time. Service is quick and friendly, and prices are fair.",
     "clear"),
    ("This password manager app logged me out three times a day, lost two saved logins after an update, and the "
     "support chat only ever sent me links to the same useless help page. I have cancelled my subscription.", "clear"),
    ("The room was small and the window looked straight onto a brick wall, but the bed was very comfortable, the "
     "shower was hot and powerful, and the location, two minutes from the station, could not have been better.",
     "mixed"),
    ("I bought this rice cooker for my daughter and ended up ordering a second one for myself. It makes perfect "
     "rice, keeps it warm for hours without drying it out, and the inner pot cleans in seconds.", "clear"),
    ("The waiter forgot our starters, brought the wrong wine, and then argued with us about the bill. The fish was "
     "overcooked and the chips were cold. A disappointing evening in a place with such a good reputation.", "clear"),
    ("The fitness tracker counts steps accurately and the sleep data is genuinely useful. Sadly the strap gave my "
     "wrist a rash within a week, the heart rate jumps around during runs, and syncing with my phone often fails.",
     "mixed"),
    ("Our stay at this guesthouse was a delight from start to finish. The owner greeted us with tea and homemade "
     "cake, the garden was full of flowers, and the breakfasts were generous and delicious. We left feeling "
     "rested.", "clear"),
    ("The budgeting app is clever in places: it sorts transactions well and the monthly charts are clear. But it "
     "cannot handle two currencies, the widgets are clumsy, and it asks for a review far too often.", "mixed"),
    ("Cheap, flimsy and dangerous. The handle of this frying pan came loose the second time I used it, the coating "
     "started flaking into the food after a week, and the base warped on a normal gas hob. Do not buy it.", "clear"),
    ("The bakery makes the best croissants I have eaten outside Paris, buttery and flaky with a crisp top. The "
     "coffee is only average and the queue on Saturdays is long, yet I keep coming back every weekend.", "mixed"),
    ("The resort looked nothing like the photos. The pool was closed for repairs the whole week, the beach was "
     "covered in rubbish, the food at the buffet was reheated and bland, and the staff seemed not to care at all.",
     "clear"),
    ("These running shoes are light and springy, and after two hundred miles the soles still look new. The fit is "
     "narrow, though, and the laces are too short to double knot. Great shoes if your feet are slim.", "mixed"),
    ("A wonderful little app for learning to draw. The lessons are short and encouraging, the feedback on each "
     "sketch is kind but honest, and after a month I can finally draw faces I am proud of. Worth every penny.",
     "clear"),
    ("The steakhouse has a lovely atmosphere, warm lighting, good music and attentive staff. Unfortunately my "
     "steak arrived grey and chewy, the sauce was salty, and the bill was twice what we expected for two people.",
     "mixed"),
    ("The printer set up in minutes, connects to every laptop in the house without complaint, and prints crisp, "
     "fast pages. The ink lasts far longer than my old one did. Easily the least annoying printer I have owned.",
     "clear"),
    ("I loved the spa and the thermal pools, which were calm and spotless, and the massage was superb. The hotel "
     "rooms, on the other hand, felt tired: stained carpets, a broken lamp, and a noisy fan that rattled all "
     "night.", "mixed"),
    ("We rented this holiday flat for ten days and it was better than we hoped. The kitchen had everything we "
     "needed, the beds were firm and comfortable, and the balcony caught the evening sun. The host left a "
     "handwritten guide to the neighbourhood with excellent restaurant tips. The only downside was the steep "
     "staircase with heavy suitcases, but we would book it again without hesitation.", "clear"),
    ("The new version of this photo editing app has some impressive tools. The automatic sky replacement is "
     "convincing, the noise reduction rescues dark pictures, and exporting is much faster than before. However, "
     "the redesigned menus hide basic settings several taps deep, the app now drains my battery in an hour, and "
     "the subscription price has doubled without warning. I use it less than I did, and I am looking at "
     "alternatives that respect their customers more.", "mixed"),
)
