package demo

// What the simulated people say, per question id of sample.toml. The
// texts are short, varied and plausible, so every screen of the demo has
// something real to show.
var ideas = map[string][]string{
	"threats": {
		"Cheap gene synthesis is outpacing the screening of orders; that gap worries me most.",
		"AI tools that design molecules lower the skill needed to cause harm.",
		"Climate stress on water and food will drive conflicts long before any weapon does.",
		"Laboratory accidents in high-containment labs are under-reported worldwide.",
		"Disinformation about outbreaks undermines the response more than the pathogen itself.",
		"Space debris and attacks on satellites threaten early-warning systems.",
		"Nuclear expertise is ageing out; we are losing people who understand verification.",
		"Priority should go to threats where a small group of experts can make a real difference.",
		"Cyber attacks on hospitals and vaccine supply chains deserve more attention.",
		"Start with biosecurity: the tools spread fastest and the rules are weakest.",
		"Drone swarms built from consumer parts need a technical answer, not just a legal one.",
		"We underrate slow threats such as antimicrobial resistance because they make no headlines.",
	},
	"coordination": {
		"A shared public calendar of engagement missions would already avoid many overlaps.",
		"Funders should agree on a common reporting template so results can be compared.",
		"Small countries need a seat at the planning table, not only an invitation to events.",
		"Agencies duplicate because each must show its own flag; joint branding would help.",
		"Pair every foreign-ministry programme with a science-ministry counterpart.",
		"A light secretariat that maps who does what, updated every quarter.",
		"Let regional networks lead and let the big donors follow their priorities.",
		"Open data agreements signed in advance save months when a crisis hits.",
		"Rotate the coordination role so no single agency owns it for good.",
		"Use existing treaty meetings as the venue instead of inventing new ones.",
		"Joint training of scientists and diplomats builds trust that coordination needs.",
	},
	"assessment": {
		"Count lasting partnerships, not the number of workshops held.",
		"Ask partner institutions to judge the value, not only the funders.",
		"Track whether trained people are still in the field five years later.",
		"Measure how fast a network responds when a real incident happens.",
		"Publish failures as well as successes so others can learn from them.",
		"Independent evaluators from the regions concerned should lead reviews.",
		"Policy changes that cite the work are a better signal than papers.",
		"Set a baseline before a programme starts, or we can never show change.",
		"Use simulation exercises as tests, and score them openly.",
		"Cost per trained person is easy to measure and misleading on its own.",
	},
	"culture": {
		"Teach dual-use awareness in every life-science degree, not as an elective.",
		"Senior scientists must talk openly about the mistakes they have seen.",
		"Give researchers a safe, confidential channel to raise concerns.",
		"Journals could ask a short responsibility question at submission.",
		"Reward institutions that run good biosafety, through funding criteria.",
		"Codes of conduct only work when people write them themselves.",
		"Bring ethicists into labs as colleagues, not as auditors.",
		"Case studies from real incidents stick better than abstract rules.",
		"Young researchers want guidance; give them mentors, not only forms.",
		"Make responsibility part of career evaluation and promotion.",
		"Industry labs should join the same training as universities.",
	},
	"working-group": {
		"Keep a living register of emerging technologies with a short risk note on each.",
		"Offer rapid technical advice to governments that lack their own experts.",
		"Run a yearly horizon scan and publish it in plain language.",
		"Broker exchanges between labs in countries that do not talk officially.",
		"Set common standards for screening synthetic DNA orders.",
		"Be the neutral place where sensitive findings can be discussed first.",
		"Build a roster of experts who can deploy within days of an incident.",
		"Translate technical debates for negotiators before treaty meetings.",
		"Track its own recommendations and report which were taken up.",
		"Include early-career scientists from every region in its membership.",
	},
}

// buildOns are replies that build on another idea, a set for each group
// (by its place in the plan, in turn): each room has its own voices, and
// the same reply in every room would look like a theme raised everywhere.
var buildOns = [][]string{
	{
		"Yes, and we could pilot this in one region first.",
		"Agree, but it needs a budget line or it will not happen.",
		"This links to what was said about training: same people, same problem.",
		"Good point; the hard part is who keeps it up to date.",
		"Who would own this once the project money ends?",
		"I would add a clear deadline, or it drifts for years.",
		"Could the regional networks carry part of this?",
		"We should ask the people affected before we design it.",
	},
	{
		"We tried something like this before; it worked when partners co-owned it.",
		"Building on this: make it public so others can check it.",
		"Could we combine this with the register mentioned earlier?",
		"Start small: one partner, one year, then decide.",
		"Fine in principle; the details of access will decide it.",
		"A shared template would make this much cheaper to repeat.",
		"Let us name one person responsible, not a committee.",
		"The universities could host this without new money.",
	},
	{
		"True, though smaller partners will need support to take part.",
		"Add a review after one year so it does not become a ritual.",
		"Worth asking the smaller labs first; they feel this most.",
		"This only works if the results are shared across borders.",
		"Careful: this could duplicate what the agencies already do.",
		"Pair it with a short course so newcomers can join in.",
		"A public summary each year would keep it honest.",
		"Link it to the funding calls and people will take it up.",
	},
}

// themes the simulated rapporteurs tag ideas with.
var themes = []string{"capacity", "governance", "trust", "funding", "evidence", "education"}

// minutesLines are phrases the simulated rapporteurs write in minutes.
var minutesLines = []string{
	"The group discussed “%s” at some length.",
	"Several members supported “%s”.",
	"Some doubts were raised about “%s”; it needs more detail.",
	"A member gave an example from their own work around “%s”.",
	"The chair asked the group to come back to “%s” later.",
}

// summaries the simulated rapporteurs write when a question closes.
const summaryFormat = "The group raised %d ideas on this question. Most support went to this one: %s Members stressed practical steps that partners can own."
