package report

import (
	"slices"
	"strings"
	"sync"

	"github.com/kljensen/snowball/english"
)

// lexiconText lists words and phrases that say the same thing in the ideas
// of a conference, one concept a line: "concept: word, word, phrase, …".
// It is written for the domain on purpose: general thesauri (WordNet) put
// every sense of a word in one set, so "open" would match "candid" and
// "unfastened" and look-alike ideas would run together; WordNet measured
// as a soft match of synsets did no better (TestSimilarWordNet,
// docs/reports.md). Entries are
// matched by their Snowball stems, so "grant" covers "grants" and
// "granted"; a stem that two concepts claim ("publication" and "public"
// both stem to "public") is matched only as the words written, with or
// without a final "s". A concept may take several lines.
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

// broadLexiconText widens lexiconText with the words a conference on
// research and its organisation most often says in several ways. It was
// written from the domain, not from the labelled pairs' misses alone (see
// docs/reports.md).
const broadLexiconText = `
teach: lecture, class, seminar, tutorial
hire: hire, hiring, recruit, recruitment, employ, appoint, appointment, take on
pay: pay, salary, wage, stipend, remuneration, reimburse, reimbursement, pay back, refund, compensate, compensation
cost: cost, expense, expenditure, spending, budget
fast: sooner, soon, quicker, speedy, without delay, shorter time, in time, on time
paper: paper, article, manuscript, preprint
rule: rule, guideline, policy, regulation, code of practice
author: author, authorship, co author
website: website, web site, web page, webpage, homepage, portal
digital: pc, laptop, desktop, workstation
password: password, passphrase, passcode
secure: secure, security, safe, safety, protect, protection, safeguard, cybersecurity
strong: strong, robust, hard to guess
young: doctoral, doctorate, graduate student
mentor: mentor, mentoring, mentorship, coach, coaching, tutor, buddy
leader: leader, head, supervisor, principal investigator, pi, group leader, team leader
group: group, team, unit, department
speaker: speaker, talk, keynote, presenter, presentation
invite: invite, invitation
weekend: weekend, saturday, sunday
energy: energy, power, electricity, electric
patent: patent, intellectual property, licensing
mandatory: mandatory, compulsory, obligatory, required, require, requirement, obligation
feedback: feedback, comment, critique, input
result: result, outcome
privacy: privacy, private, confidential, confidentiality, anonymous, anonymity, anonymise, anonymize, personal data, gdpr
childcare: childcare, child care, daycare, creche, nursery, babysitting
child: child, children, kid, kids
parent: parent, mother, father, family, families, carer
install: install, deploy, roll out, set up
version: version, release, latest
disability: disability, disabled, blind, deaf, impaired, impairment, wheelchair, barrier free, screen reader
library: library, libraries
office: office, workplace, premises, desk
annual: annual, yearly, every year, once a year
regular: regular, regularly, routine, periodic, frequent
clear: clear, clearer, clarify, transparent, transparency, explicit
agree: agree, agreement, consensus, decide, decision
inform: inform, information, communicate, communication, newsletter, announce, announcement
explain: explain, explanation, describe, description, summary, summarise, summarize
understand: understand, understandable, readable, comprehensible, intelligible
gender: gender, women, woman, female, diversity, equality, equal opportunity
career: career, promotion, promote, advancement, progression
recognise: recognise, recognize, recognition, reward, award, credit, acknowledge, acknowledgement, prize
measure: criteria, indicator, metric
data: data, dataset, data set, database
storage: storage, store, archive, repository, server
international: international, abroad, foreign, overseas, worldwide, global
university: university, universities, college, campus, institute, institution
student: student, learner, undergraduate
school: school, primary school, secondary school, high school
`

// lexicon maps stemmed words, and phrases of up to three stemmed words
// joined by spaces, to their concept.
type lexicon struct {
	words   map[string]string // by stem; "" when two concepts claim the stem
	surface map[string]string // by the word as written, for stems two concepts claim
	phrases map[string]string
	longest int
}

var (
	defaultLexicon = sync.OnceValue(func() *lexicon { return parseLexicon(lexiconText) })
	broadLexicon   = sync.OnceValue(func() *lexicon { return parseLexicon(lexiconText + broadLexiconText) })
)

func parseLexicon(text string) *lexicon {
	lx := &lexicon{words: map[string]string{}, surface: map[string]string{}, phrases: map[string]string{}}
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
				lx.surface[strings.TrimSpace(strings.ToLower(entry))] = concept
				if c, dup := lx.words[ws[0]]; dup && c != concept {
					lx.words[ws[0]] = ""
				} else {
					lx.words[ws[0]] = concept
				}
			default:
				lx.phrases[strings.Join(ws, " ")] = concept
				lx.longest = max(lx.longest, len(ws))
			}
		}
	}
	return lx
}

// concept is the concept of the word w of stem st, or "".
func (lx *lexicon) concept(w, st string) string {
	c, ok := lx.words[st]
	if !ok || c != "" {
		return c
	}
	if c, ok := lx.surface[w]; ok {
		return c
	}
	return lx.surface[strings.TrimSuffix(w, "s")]
}

// oppositesText lists words that say opposite things about the same
// subject, one axis a line: "axis: words of one side | words of the other".
// Two ideas that share their words but take opposite sides ("more funding
// for conferences" / "less funding for conferences", "keep the summer
// school" / "drop the summer school") are different ideas. A word may
// stand on several axes.
const oppositesText = `
amount: more, increase, raise, extra, additional, expand, grow, boost, higher, greater, maximise, maximize | less, fewer, reduce, reduction, cut, decrease, lower, shrink, minimise, minimize
start: start, begin, introduce, launch, resume, restart, establish, create | stop, end, quit, abolish, cancel, halt, scrap, discontinue, terminate, cease
open: open, reopen, unlock | close, shut, lock
allow: allow, permit, enable, authorise, authorize, legalise | ban, forbid, prohibit, disallow, block, prevent
keep: keep, retain, maintain, preserve, continue | drop, remove, scrap, abandon, abolish, eliminate, delete
add: add, include, insert | remove, exclude, omit, delete
length: long, longer | short, shorter
time: before, earlier, ahead | after, later, afterwards
`

// negators make a text say the opposite of its words.
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "without": true, "nobody": true,
	"none": true, "nothing": true, "neither": true, "nor": true, "t": true,
	"cannot": true,
}

// modals split a text into who should act and what they should do.
var modals = map[string]bool{
	"should": true, "must": true, "shall": true, "could": true, "can": true,
	"will": true, "ought": true,
}

// clauseWords start an object that is a clause ("measure how well…"),
// whose last word is not the thing acted on.
var clauseWords = map[string]bool{
	"how": true, "what": true, "which": true, "who": true, "whom": true,
	"whether": true, "that": true, "why": true, "where": true, "when": true,
	"if": true,
}

// pole is one side of an axis of opposites.
type pole struct {
	axis string
	side uint8 // 1 or 2
}

// defaultOpposites maps stemmed words to the sides they stand on.
var defaultOpposites = sync.OnceValue(func() map[string][]pole { return parseOpposites(oppositesText) })

func parseOpposites(text string) map[string][]pole {
	out := map[string][]pole{}
	for line := range strings.Lines(text) {
		axis, sides, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		one, other, _ := strings.Cut(sides, "|")
		for side, list := range []string{one, other} {
			for entry := range strings.SplitSeq(list, ",") {
				ws := words(entry)
				if len(ws) != 1 {
					continue
				}
				st := english.Stem(ws[0], true)
				p := pole{strings.TrimSpace(axis), uint8(side + 1)}
				if !slices.Contains(out[st], p) {
					out[st] = append(out[st], p)
				}
			}
		}
	}
	return out
}
