package session

import (
	"encoding/json"
	"fmt"
	"time"
)

// Op kinds a person may send (see docs/protocol.md for each one's data).
const (
	KindIdeaAdd      = "idea.add"
	KindIdeaEdit     = "idea.edit"
	KindIdeaRetract  = "idea.retract"
	KindIdeaVote     = "idea.vote"
	KindIdeaUnvote   = "idea.unvote"
	KindIdeaPin      = "idea.pin"
	KindIdeaMerge    = "idea.merge"
	KindIdeaHide     = "idea.hide"
	KindIdeaTheme    = "idea.theme"
	KindIdeaKey      = "idea.key"
	KindQuestionPose = "question.pose"
	KindGroupLock    = "group.lock"
	KindGroupUnlock  = "group.unlock"
	KindTimerStart   = "timer.start"
	KindTimerExtend  = "timer.extend"
	KindTimerStop    = "timer.stop"
	KindTimerPause   = "timer.pause"
	KindTimerResume  = "timer.resume"
	KindMinutesEdit  = "minutes.edit"
	KindSummaryEdit  = "summary.edit"
	KindReportPub    = "report.publish"
	KindBroadcast    = "broadcast"
	KindSynthesis    = "synthesis.edit"
	// KindExecutiveEdit and KindRecommendationsEdit write the organizer's
	// executive summary and recommendations of the whole conference.
	KindExecutiveEdit       = "executive.edit"
	KindRecommendationsEdit = "recommendations.edit"
	KindPlanEdit            = "plan.edit"
	// KindPersonRemove takes a person out of the session: a chair (in the
	// own group) or the organizer; the person's ideas stay.
	KindPersonRemove = "person.remove"
)

// System op kinds: only the relay appends them (By is empty).
const (
	KindSessionCreate = "session.create"
	KindPersonJoin    = "person.join"
	KindPersonOnline  = "person.online"
)

// Op is one change a person asks for. ID is unique per op and made by the
// client, so a retried op is recognised.
type Op struct {
	ID   string          `json:"id"`
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Entry is one op in the log: the op, who sent it (a person id, or empty
// for the relay's own system ops) and when the relay appended it.
type Entry struct {
	Op Op        `json:"op"`
	By string    `json:"by,omitempty"`
	At time.Time `json:"-"`
}

// BaseOf is a Base for TextEdit.
func BaseOf(version int) *int { return &version }

// NewOp builds an op of kind with data encoded as JSON.
func NewOp(id, kind string, data any) Op {
	raw, err := json.Marshal(data)
	if err != nil {
		panic(fmt.Sprintf("session: encode %s data: %v", kind, err)) // op data types always encode
	}
	return Op{ID: id, Kind: kind, Data: raw}
}

// Data types of the ops, one per kind. Fields named Idea hold an idea id;
// Question a question id.
type (
	IdeaAdd struct {
		Question  string `json:"question"`
		Text      string `json:"text"`
		Anonymous bool   `json:"anonymous,omitempty"`
		BuildsOn  string `json:"builds_on,omitempty"`
	}
	IdeaEdit struct {
		Idea string `json:"idea"`
		Text string `json:"text"`
	}
	IdeaRef struct {
		Idea string `json:"idea"`
	}
	// IdeaFlag is the data of idea.pin, idea.hide and idea.key. On is
	// always encoded; data without "on" is rejected, so a client that
	// leaves it out does not unmark the idea by accident.
	IdeaFlag struct {
		Idea string `json:"idea"`
		On   bool   `json:"on"`
	}
	IdeaMerge struct {
		Idea string `json:"idea"`
		Into string `json:"into"`
	}
	IdeaTheme struct {
		Idea  string `json:"idea"`
		Theme string `json:"theme"`
	}
	// QuestionPose poses a question in the sender's group; the organizer
	// poses it in Group, or in every group when Group is empty.
	QuestionPose struct {
		Question string `json:"question"`
		Group    string `json:"group,omitempty"`
	}
	TimerStart struct {
		Seconds int `json:"seconds"`
	}
	TextEdit struct {
		Question string `json:"question"`
		// Text is the whole new text; empty with Restore.
		Text string `json:"text"`
		// Base is the version the edit was made on; when the text has
		// moved on since, the edit is merged onto what was saved
		// meanwhile (Merge3). Without it the edit replaces the text,
		// whose earlier version stays among its versions.
		Base *int `json:"base,omitempty"`
		// Restore brings back the kept version of that number, merged
		// like any edit when Base is older than the current version.
		Restore int `json:"restore,omitempty"`
	}
	// BroadcastData is a message to every group, or to Group alone.
	BroadcastData struct {
		Text  string `json:"text"`
		Group string `json:"group,omitempty"`
	}
	PlanEdit struct {
		Title     string         `json:"title,omitempty"`
		Questions []PlanQuestion `json:"questions,omitempty"`
	}
	SessionCreate struct {
		ID    string           `json:"id"`
		Plan  Plan             `json:"plan"`
		Codes map[string]Grant `json:"codes"`
	}
	PersonJoin struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Background string `json:"background,omitempty"`
		Role       Role   `json:"role"`
		Group      string `json:"group,omitempty"`
		TokenHash  string `json:"token_hash"`
	}
	PersonOnline struct {
		Person string `json:"person"`
		Online bool   `json:"online"`
	}
	PersonRemove struct {
		Person string `json:"person"`
	}
)

// Code is why an op was rejected.
type Code string

// Rejection codes on the wire.
const (
	CodeForbidden   Code = "forbidden"
	CodeInvalid     Code = "invalid"
	CodeNotFound    Code = "not_found"
	CodeClosed      Code = "closed"
	CodeConflict    Code = "conflict"
	CodeRateLimited Code = "rate_limited"
	CodeTooLarge    Code = "too_large"
)

// Rejection is a typed refusal of an op; match it with errors.As.
type Rejection struct {
	Code    Code
	Message string
}

func (r *Rejection) Error() string { return string(r.Code) + ": " + r.Message }

// Is lets errors.Is match rejections by code: errors.Is(err, ErrForbidden).
func (r *Rejection) Is(target error) bool {
	t, ok := target.(*Rejection)
	return ok && t.Message == "" && t.Code == r.Code
}

// Sentinels to match rejections by code with errors.Is.
var (
	ErrForbidden = &Rejection{Code: CodeForbidden}
	ErrInvalid   = &Rejection{Code: CodeInvalid}
	ErrNotFound  = &Rejection{Code: CodeNotFound}
	ErrClosed    = &Rejection{Code: CodeClosed}
	ErrConflict  = &Rejection{Code: CodeConflict}
)

func reject(code Code, format string, args ...any) *Rejection {
	return &Rejection{Code: code, Message: fmt.Sprintf(format, args...)}
}
