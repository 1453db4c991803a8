package session

// Role is what a person may do in a session.
type Role string

// The roles of DESIGN.md.
const (
	Participant Role = "participant"
	Chair       Role = "chair"
	Rapporteur  Role = "rapporteur"
	Organizer   Role = "organizer"
)

// Roles lists the roles in the order the screens and docs show them.
var Roles = []Role{Organizer, Chair, Rapporteur, Participant}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case Participant, Chair, Rapporteur, Organizer:
		return true
	}
	return false
}

// scope says where a role may act with an op.
type scope int

const (
	ownGroup scope = iota // the actor's own group only
	anyGroup              // any group (the organizer)
	session               // the session as a whole
)

type grant struct {
	roles []Role
	scope scope
}

func members(roles ...Role) grant { return grant{roles: roles, scope: ownGroup} }

var everyMember = members(Participant, Chair, Rapporteur)

// permissions is the role table of DESIGN.md: which roles may send each
// op kind, and where. System ops are sent by the relay only.
var permissions = map[string]grant{
	KindIdeaAdd:     everyMember,
	KindIdeaEdit:    everyMember,
	KindIdeaRetract: everyMember,
	KindIdeaVote:    everyMember,
	KindIdeaUnvote:  everyMember,
	KindIdeaPin:     members(Chair),
	KindIdeaMerge:   members(Chair),
	KindIdeaHide:    members(Chair),
	KindIdeaTheme:   members(Rapporteur),
	KindIdeaKey:     members(Rapporteur),
	// The organizer poses, locks and unlocks in one group or in all.
	KindQuestionPose: {roles: []Role{Chair, Organizer}, scope: ownGroup},
	KindGroupLock:    {roles: []Role{Chair, Organizer}, scope: ownGroup},
	KindGroupUnlock:  {roles: []Role{Chair, Organizer}, scope: ownGroup},
	KindTimerStart:   members(Chair),
	KindTimerExtend:  members(Chair),
	KindTimerStop:    members(Chair),
	KindTimerPause:   members(Chair),
	KindTimerResume:  members(Chair),
	KindMinutesEdit:  members(Rapporteur),
	KindSummaryEdit:  members(Rapporteur),
	KindReportPub:    members(Rapporteur),
	KindBroadcast:    {roles: []Role{Organizer}, scope: session},
	KindSynthesis:    {roles: []Role{Organizer}, scope: session},
	KindPlanEdit:     {roles: []Role{Organizer}, scope: session},
	KindPersonRemove: {roles: []Role{Chair, Organizer}, scope: anyGroup},

	KindExecutiveEdit:       {roles: []Role{Organizer}, scope: session},
	KindRecommendationsEdit: {roles: []Role{Organizer}, scope: session},
	KindThemeCreate:         {roles: []Role{Organizer}, scope: session},
	KindThemeRename:         {roles: []Role{Organizer}, scope: session},
	KindThemeMerge:          {roles: []Role{Organizer}, scope: session},
	KindThemeSplit:          {roles: []Role{Organizer}, scope: session},
	KindThemeDismiss:        {roles: []Role{Organizer}, scope: session},
	KindThemeMove:           {roles: []Role{Organizer}, scope: session},
	KindSuggestionDismiss:   {roles: []Role{Organizer}, scope: session},

	KindRecommendationAdd:    {roles: []Role{Organizer}, scope: session},
	KindRecommendationEdit:   {roles: []Role{Organizer}, scope: session},
	KindRecommendationRemove: {roles: []Role{Organizer}, scope: session},

	KindPhaseSet:       {roles: []Role{Organizer}, scope: session},
	KindPlenaryPresent: {roles: []Role{Organizer}, scope: session},
	KindPlenaryFloor:   {roles: []Role{Organizer}, scope: session},
	KindPriorityVote:   {roles: everyMember.roles, scope: session},
	KindPriorityUnvote: {roles: everyMember.roles, scope: session},
	KindClockStart:     {roles: []Role{Organizer}, scope: session},
	KindClockStop:      {roles: []Role{Organizer}, scope: session},
	KindSurveyOpen:     {roles: []Role{Organizer}, scope: session},
	KindSurveyClose:    {roles: []Role{Organizer}, scope: session},
	KindSurveyAnswer:   {roles: everyMember.roles, scope: session},
}

// Allowed reports whether a person of role r may send ops of kind. It does
// not check the group; Apply does that with the op's target.
func Allowed(r Role, kind string) bool {
	g, ok := permissions[kind]
	if !ok {
		return false
	}
	for _, x := range g.roles {
		if x == r {
			return true
		}
	}
	return false
}

// Kinds lists every op kind a person may send, in a stable order.
func Kinds() []string {
	return []string{
		KindIdeaAdd, KindIdeaEdit, KindIdeaRetract, KindIdeaVote, KindIdeaUnvote,
		KindIdeaPin, KindIdeaMerge, KindIdeaHide, KindIdeaTheme, KindIdeaKey,
		KindQuestionPose, KindGroupLock, KindGroupUnlock,
		KindTimerStart, KindTimerExtend, KindTimerStop, KindTimerPause, KindTimerResume,
		KindMinutesEdit, KindSummaryEdit, KindReportPub,
		KindBroadcast, KindSynthesis, KindPlanEdit, KindPersonRemove,
		KindExecutiveEdit, KindRecommendationsEdit,
		KindThemeCreate, KindThemeRename, KindThemeMerge, KindThemeSplit, KindThemeDismiss, KindThemeMove,
		KindSuggestionDismiss,
		KindRecommendationAdd, KindRecommendationEdit, KindRecommendationRemove,
		KindPhaseSet, KindPlenaryPresent, KindPlenaryFloor, KindPriorityVote, KindPriorityUnvote,
		KindClockStart, KindClockStop, KindSurveyOpen, KindSurveyClose, KindSurveyAnswer,
	}
}
