package report

import (
	"strings"
	"sync"

	"github.com/kljensen/snowball/english"
)

// lexiconText lists words and phrases that say the same thing in the ideas
// of a conference, one concept a line: "concept: word, word, phrase, …".
// It is small and written for the domain on purpose: general thesauri
// (WordNet) put every sense of a word in one set, so "open" would match
// "candid" and "unfastened" and look-alike ideas would run together.
// Entries are matched by their Snowball stems, so "grant" covers "grants"
// and "granted". A word belongs to one concept only.
const lexiconText = `
fund: fund, funding, money, grant, financing, finance, financial
research: research, researcher, scientist, scholar, academic
young: young, junior, early career, early stage, phd, postdoc, postdoctoral
teach: teach, train, training, educate, education, course, lesson, instruct, tuition
teacher: teacher, lecturer, educator, instructor, trainer
bureaucracy: bureaucracy, paperwork, red tape, administrative burden
publish: publish, published, publishing, publication
open: open, openly, freely, available, accessible
share: share, pool, common, joint, jointly
equipment: equipment, instrument, device, apparatus
job: job, position, post, employment, vacancy
permanent: permanent, stable, tenure, tenured, long term, open ended
travel: travel, trip, journey, flight, fly, flying, plane, airplane, aeroplane
meeting: meeting, conference, event, workshop, symposium, congress, gathering
online: online, virtual, video, remote, remotely, videoconference
reduce: reduce, reduction, cut, fewer, less, lower, decrease, shrink, limit, minimise, minimize
support: support, help, helpdesk, help desk, assist, assistance, aid, advice, guidance
study: study, trial
measure: measure, evaluate, evaluation, assess, assessment, monitor, monitoring
outreach: outreach, public engagement, engagement, dissemination, science communication
partner: partner, partnership, cooperation, cooperate, collaborate, collaboration, alliance, ties
local: local, regional, region, nearby
pupil: pupil, schoolchildren, school children
programming: programming, coding, coder
fast: fast, faster, quick, quickly, speed, speed up, rapid, rapidly, prompt, promptly, accelerate, swift
review: review, approval, approve, clearance, check, audit
green: green, environmental, sustainable, sustainability, eco, ecological
buy: buy, buying, purchase, purchasing, procurement, procure
supplier: supplier, vendor, contractor
standard: standard, vocabulary, convention, norm, schema
update: update, patch, patching, upgrade
industry: industry, industrial, company, companies, business, firm, enterprise, private sector
citizen: citizen, public, general public, audience, lay, layperson, volunteer
involve: involve, involvement, participate, participation, take part, engage
cheap: cheap, cheaper, affordable, inexpensive, cost less, low cost
fee: fee, price, charge
staff: staff, employee, personnel, worker, workforce, colleague
simple: simple, simpler, simplify, simplified, plain, easy, easier
start: start, beginning, outset, early, earlier
twofactor: two factor, second factor, 2fa, mfa, multi factor, two step
login: login, log in, sign in, authentication, authenticate
lab: lab, laboratory, laboratories
technician: technician, technical staff
backup: backup, back up
carbon: carbon, co2, emission
committee: committee, board, council, steering group
skill: skill, competence, literacy
tool: tool, software, app
digital: digital, computer, computing
`

// lexicon maps stemmed words, and phrases of up to three stemmed words
// joined by spaces, to their concept.
type lexicon struct {
	words   map[string]string
	phrases map[string]string
	longest int
}

var defaultLexicon = sync.OnceValue(func() *lexicon { return parseLexicon(lexiconText) })

func parseLexicon(text string) *lexicon {
	lx := &lexicon{words: map[string]string{}, phrases: map[string]string{}}
	for line := range strings.Lines(text) {
		concept, entries, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		concept = strings.TrimSpace(concept)
		for entry := range strings.SplitSeq(entries, ",") {
			ws := words(entry)
			for k, w := range ws {
				ws[k] = english.Stem(w, true)
			}
			switch len(ws) {
			case 0:
			case 1:
				lx.words[ws[0]] = concept
			default:
				lx.phrases[strings.Join(ws, " ")] = concept
				lx.longest = max(lx.longest, len(ws))
			}
		}
	}
	return lx
}
