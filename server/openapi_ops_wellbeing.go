package server

import (
	"net/http"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/shortcut"
)

func wellbeingOps() []*op {
	keyErrors := []*fault.Error{shortcut.ErrUnknownAction, shortcut.ErrBadKey, shortcut.ErrReservedKey, shortcut.ErrKeyConflict}
	return []*op{
		opGet("/api/me/shortcuts", "The caller's workbench keys", anyMember).ok(http.StatusOK, shortcutsAnswer{}),
		opPut("/api/me/shortcuts", "Remap the caller's workbench keys", anyMember).
			about("The body is the whole set of keys the member changed; `{\"keys\": {}}` resets every key. "+
				"An unknown action, a key two live actions would share, or a reserved key is refused.").
			in(shortcutsRequest{}).ok(http.StatusOK, shortcutsAnswer{}).fails(append(keyErrors, fault.ErrInvalid)...),
		opGet("/api/me/wellbeing", "The caller's sensitive-content choices and today's exposure", anyMember).
			ok(http.StatusOK, labeling.MyWellbeing{}),
		opPut("/api/me/wellbeing", "Change the caller's categories, budget or greyscale", anyMember).
			in(labeling.WellbeingChoices{}).ok(http.StatusOK, labeling.MyWellbeing{}).fails(fault.ErrInvalid),
		opPost("/api/me/wellbeing/affected", "This affected me: pause sensitive work, tell the co-op's contact", anyMember).
			about("Only the designated contact is told (GET /api/wellbeing/notices and a `wellbeing.affected` event on "+
				"their own member channel); never the member's reviewer or the coordinators.").
			in(labeling.Affected{}).ok(http.StatusOK, affectedAnswer{}).fails(fault.ErrNotFound, fault.ErrInvalid),
		opPost("/api/me/wellbeing/resume", "Resume sensitive work after a pause", anyMember).
			ok(http.StatusOK, labeling.MyWellbeing{}),
		opGet("/api/wellbeing/notices", "Notices addressed to the caller as the co-op's contact", anyMember).
			about("Empty for every member but the designated contact, whatever their role.").
			paged(labeling.WellbeingNotice{}, nil),
		opGet("/api/wellbeing/settings", "The co-op's wellbeing settings", coordinators).
			ok(http.StatusOK, labeling.WellbeingSettings{}),
		opPut("/api/wellbeing/settings", "Change the co-op's wellbeing settings and contact", coordinators).
			in(labeling.WellbeingSettings{}).ok(http.StatusOK, labeling.WellbeingSettings{}).fails(labeling.ErrNoContact, fault.ErrInvalid),
		opGet("/api/wellbeing/summary", "Sensitive minutes, items and breaks per day, summed across members", coordinators).
			q("days", tInteger, "how many days back, 1 to 90 (default 14)").
			ok(http.StatusOK, fields{"days": []labeling.WellbeingDay{}}).fails(fault.ErrInvalid),
	}
}
