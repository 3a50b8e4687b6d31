"""A small corpus written for this project: fictional facts, so the model cannot lean on what it
already knows, and questions phrased differently from the text that answers them."""

from __future__ import annotations

DOCUMENTS: dict[str, str] = {
    "lighthouse.md": "# Harrowgate Lighthouse\n\nThe Harrowgate lighthouse was built in 1871 from "
    "granite quarried at Penmoor. Its lamp is visible for twenty-two nautical miles, and the last "
    "resident keeper, Ottilie Brand, left the post in 1964 when the light was automated.",
    "orchard.md": "# Velmont Orchard\n\nVelmont Orchard grows forty varieties of apple. The "
    "rarest, the Copper Wren, ripens only in late October and is pressed into a cider that the "
    "orchard sells exclusively at its winter market.",
    "tram.txt": "The Quillby tram line opened in 1903 and runs eleven kilometres from the harbour "
    "to Ashgrove hill. Its cars are painted dark green, and the fare has been frozen at one coin "
    "since the city council voted to subsidise it in 1998.",
    "beekeeping.txt": "Members of the Thornfield beekeeping club keep their hives on the roof of "
    "the public library. Each spring they split strong colonies to prevent swarming, and the "
    "honey is sold to fund reading programmes for children.",
    "observatory.html": "<h1>Mount Kessel Observatory</h1><p>The observatory's main telescope has "
    "a mirror 2.4 metres across. Astronomers there discovered the comet Kessel-Amari in 2011 "
    "while surveying faint objects near the ecliptic.</p>",
    "bakery.txt": "Marrow Lane Bakery starts its ovens at four in the morning. The signature loaf "
    "is a rye sourdough fermented for thirty-six hours, and day-old bread is donated to the "
    "night shelter on Fenwick Street.",
    "glacier.md": "# Sorrel Glacier\n\nSorrel Glacier has retreated about nine hundred metres "
    "since surveys began. Researchers measure its thickness each August using ground-penetrating "
    "radar towed behind a snowmobile.",
    "chess.txt": "The Brackwater chess club meets on Thursday evenings in the back room of the "
    "Anchor tavern. Its annual tournament uses a Swiss system over seven rounds, and the trophy "
    "is a silver knight donated by a retired ferry captain.",
    "river.md": "# River Lune Restoration\n\nVolunteers removed three weirs from the River Lune "
    "between 2018 and 2021 so that salmon could reach their spawning gravel upstream. Otter "
    "sightings have doubled since the work finished.",
    "library.txt": "The Greyhaven public library holds a collection of 1,200 hand-drawn maps. "
    "Visitors may view the maps only on Saturdays, wearing cotton gloves supplied at the desk.",
    "volcano.txt": "Mount Ardra last erupted in 1911. Its crater now holds an acidic turquoise "
    "lake, and hikers need a permit from the park office before climbing above the tree line.",
    "festival.md": "# Lantern Festival\n\nEvery November the town of Eddleby floats paper "
    "lanterns down the canal. The tradition began in 1952 to remember fishermen lost in a storm.",
    "railway.txt": "The Penmoor narrow-gauge railway was built to haul slate. Today steam "
    "locomotives pull visitors up the valley, and the line is maintained entirely by a trust of "
    "volunteer engineers.",
    "cheese.txt": "Dunmere creamery ages its blue cheese in limestone caves for five months. The "
    "cheese takes its colour from a mould first found on bread left in the caves in 1887.",
    "windfarm.md": "# Calder Bank Wind Farm\n\nThe offshore wind farm at Calder Bank has 48 "
    "turbines and supplies electricity to roughly 60,000 homes. Its maintenance crews travel out "
    "by boat from Quillby harbour.",
    "school.txt": "Ashgrove primary school teaches children to sail on the reservoir every "
    "summer term. The programme started after a parent donated six small dinghies.",
    "market.txt": "The Saturday market in Fenwick Square has run since 1730. Traders pay their "
    "pitch fee in the morning, and the market bell rings at two o'clock to signal closing.",
    "bridge.md": "# Tolley Bridge\n\nTolley Bridge is a stone arch bridge with seven spans. A toll "
    "was charged to cross it until 1934, and the old tollhouse is now a small museum of local "
    "history.",
    "choir.txt": "The Wyndham choir rehearses in the old wool exchange, where the ceiling gives "
    "an unusually long echo. The choir has sixty members and sings mostly medieval music.",
    "zoo.txt": "Harrow Wood wildlife park breeds red pandas as part of a conservation programme. "
    "Its two red pandas, named Maple and Fennel, arrived from a park in Nepal in 2019.",
    "brewery.md": "# Old Mill Brewery\n\nThe Old Mill Brewery uses water from a spring beneath "
    "the mill. Its best-known beer is a dark porter flavoured with roasted chicory root.",
    "forest.txt": "Blackthorn Forest covers about 4,000 hectares. Foresters replant native oak "
    "and rowan after felling, and a herd of wild ponies grazes the clearings.",
    "museum.txt": "The Eddleby maritime museum displays the figurehead of the schooner Marigold, "
    "which ran aground on the Sorrow Rocks in 1899. The figurehead was recovered by divers in "
    "1972.",
    "garden.md": "# Physic Garden\n\nThe Greyhaven physic garden grows medicinal plants in beds "
    "arranged by ailment. Foxglove, the source of an old heart medicine, grows behind a locked "
    "gate because it is poisonous.",
    "ferry.txt": "The Brackwater ferry crosses the estuary every forty minutes. In fog it sounds "
    "its horn once a minute, and it stops running when the wind exceeds force eight.",
    "pottery.txt": "Kessel pottery is fired in a wood-burning kiln that takes three days to cool. "
    "The glaze gets its speckled blue colour from ash that settles on the pots during firing.",
    "stadium.txt": "Lune Park stadium seats 12,000 spectators. Its roof collects rainwater that "
    "is used to irrigate the pitch during dry summers.",
    "clocktower.md": "# Fenwick Clock Tower\n\nThe Fenwick clock tower's mechanism was made in "
    "1868 and is still wound by hand twice a week by a volunteer named Harold Pike.",
    "mine.txt": "The Penmoor slate mine closed in 1969. Guided tours now take visitors 150 metres "
    "underground, where the temperature stays at ten degrees all year.",
    "swimming.txt": "The Quillby lido is an outdoor seawater pool filled by the tide. It opens "
    "from May to September, and early swimmers at six in the morning swim for free.",
}

QUESTIONS: list[tuple[str, str]] = [
    ("What stone was used to construct the Harrowgate lighthouse?", "lighthouse.md"),
    ("When did the last lighthouse keeper leave?", "lighthouse.md"),
    ("Which apple variety is harvested at the end of autumn?", "orchard.md"),
    ("How long is the tram route to Ashgrove?", "tram.txt"),
    ("Why has the tram fare not changed?", "tram.txt"),
    ("Where do the club's bees live?", "beekeeping.txt"),
    ("How large is the telescope mirror at the observatory?", "observatory.html"),
    ("Which comet was found in 2011?", "observatory.html"),
    ("How long is the rye dough left to ferment?", "bakery.txt"),
    ("What happens to unsold bread?", "bakery.txt"),
    ("How do scientists measure the ice thickness?", "glacier.md"),
    ("On which evening do the chess players gather?", "chess.txt"),
    ("Why were the weirs taken out of the river?", "river.md"),
    ("When can people look at the old maps?", "library.txt"),
    ("What is inside the volcano's crater today?", "volcano.txt"),
    ("Why do people float lanterns on the canal?", "festival.md"),
    ("What was the narrow-gauge railway originally for?", "railway.txt"),
    ("How long is the blue cheese matured?", "cheese.txt"),
    ("How many houses does the offshore wind farm power?", "windfarm.md"),
    ("Where do the school children learn to sail?", "school.txt"),
    ("What signals the end of the Saturday market?", "market.txt"),
    ("Until when did people pay to cross the bridge?", "bridge.md"),
    ("Where does the choir practise?", "choir.txt"),
    ("What are the names of the red pandas?", "zoo.txt"),
    ("What flavouring is used in the porter?", "brewery.md"),
    ("Which animals graze in the forest clearings?", "forest.txt"),
    ("Which ship's figurehead is on display?", "museum.txt"),
    ("Why is the foxglove kept behind a locked gate?", "garden.md"),
    ("When does the ferry stop sailing?", "ferry.txt"),
    ("What gives the pottery glaze its blue speckles?", "pottery.txt"),
    ("What is the stadium's rainwater used for?", "stadium.txt"),
    ("Who winds the clock by hand?", "clocktower.md"),
    ("How deep do the mine tours go?", "mine.txt"),
    ("When can swimmers use the pool without paying?", "swimming.txt"),
]
