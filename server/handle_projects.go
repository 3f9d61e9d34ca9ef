package server

import (
	"net/http"
	"strconv"

	"copyhold/equity"
	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

// handleListModels: GET /api/models?cursor=&limit= — a page of models, by name.
func (s *Server) handleListModels(c *gin.Context) {
	p, ok := readPage(c, "models")
	if !ok {
		return
	}
	ms, err := s.projects.Models(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("models", p, ms, func(m labeling.Model) page.Key { return page.Key{Text: m.Name, ID: m.ID} }))
}

type modelRequest struct {
	Name        string `json:"name"`
	BaseModel   string `json:"base_model"`
	Description string `json:"description"`
}

func (s *Server) handleCreateModel(c *gin.Context) {
	actor, _ := currentMember(c)
	var req modelRequest
	if !bindJSON(c, &req) {
		return
	}
	m, err := s.projects.CreateModel(c.Request.Context(), &actor.ID, labeling.Model{Name: req.Name, BaseModel: req.BaseModel, Description: req.Description})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, m)
}

// seesAllProjects: coordinators run projects and reviewers check all of them.
func seesAllProjects(m member.Member) bool {
	return m.Has(member.RoleCoordinator) || m.Has(member.RoleReviewer)
}

// project loads the :id project if the caller may see it. Labellers see only
// projects they belong to; to them another project does not exist.
func (s *Server) project(c *gin.Context) (labeling.Project, bool) {
	m, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return labeling.Project{}, false
	}
	p, err := s.projects.Project(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return p, false
	}
	if !seesAllProjects(m) {
		in, err := s.projects.IsProjectMember(c.Request.Context(), id, m.ID)
		if err != nil {
			fail(c, err)
			return p, false
		}
		if !in {
			fail(c, fault.ErrNotFound.With("project not found"))
			return p, false
		}
	}
	return p, true
}

func (s *Server) handleListProjects(c *gin.Context) {
	m, _ := currentMember(c)
	var f labeling.ProjectFilter
	// ?member=me lists only the caller's own projects (the labeller's /work),
	// even for reviewers and coordinators, who may see every project.
	list := "projects"
	switch c.Query("member") {
	case "":
	case "me":
		f.MemberID, list = m.ID, "projects?member=me"
	default:
		fail(c, fault.ErrInvalid.With("member: only \"me\" is supported"))
		return
	}
	if !seesAllProjects(m) {
		f.MemberID = m.ID
	}
	var ok bool
	if f.Page, ok = readPage(c, list); !ok {
		return
	}
	ps, err := s.projects.Projects(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, f.Page, ps, func(p labeling.Project) page.Key { return byID(p.ID) }))
}

type createProjectRequest struct {
	labeling.ProjectSettings
	// AddAllMembers puts every current labeller and reviewer in the project.
	AddAllMembers bool `json:"add_all_members"`
}

func (s *Server) handleCreateProject(c *gin.Context) {
	actor, _ := currentMember(c)
	var req createProjectRequest
	if !bindJSON(c, &req) {
		return
	}
	p, err := s.projects.CreateProject(c.Request.Context(), &actor.ID, req.ProjectSettings, req.AddAllMembers)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

func (s *Server) handleGetProject(c *gin.Context) {
	if p, ok := s.project(c); ok {
		c.JSON(http.StatusOK, p)
	}
}

func (s *Server) handleUpdateProject(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var patch labeling.ProjectPatch
	if !bindJSON(c, &patch) {
		return
	}
	p, err := s.projects.UpdateProject(c.Request.Context(), &actor.ID, id, patch)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

type statusRequest struct {
	Status string `json:"status"`
}

func (s *Server) handleProjectStatus(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req statusRequest
	if !bindJSON(c, &req) {
		return
	}
	to, err := labeling.ParseProjectStatus(req.Status)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.projects.SetProjectStatus(c.Request.Context(), &actor.ID, id, to)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) handleProjectMembers(c *gin.Context) {
	p, ok := s.project(c)
	if !ok {
		return
	}
	list := "project-members:" + strconv.FormatInt(p.ID, 10)
	pg, ok := readPage(c, list)
	if !ok {
		return
	}
	ids, err := s.projects.ProjectMemberIDs(c.Request.Context(), p.ID, pg)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, pg, ids, byID))
}

type projectMemberRequest struct {
	MemberID int64 `json:"member_id"`
}

func (s *Server) handleAddProjectMember(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req projectMemberRequest
	if !bindJSON(c, &req) {
		return
	}
	if err := s.projects.AddProjectMember(c.Request.Context(), &actor.ID, id, req.MemberID); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleRemoveProjectMember(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	mid, ok := idParam(c, "member")
	if !ok {
		return
	}
	if err := s.projects.RemoveProjectMember(c.Request.Context(), &actor.ID, id, mid); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleProjectProgress(c *gin.Context) {
	p, ok := s.project(c)
	if !ok {
		return
	}
	pr, err := s.projects.ProjectProgress(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pr)
}

func (s *Server) handleMyProgress(c *gin.Context) {
	m, _ := currentMember(c)
	p, ok := s.project(c)
	if !ok {
		return
	}
	pr, err := s.projects.MyProgress(c.Request.Context(), m.ID, p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pr)
}

// projectPace is the pace answer: labelling's figures and, from the
// register, what a unit of the project's model recently received (the
// server composes the two: labelling never reads the register).
type projectPace struct {
	labeling.ProjectPace
	// RecentValue: the model's latest distribution in the last year, per
	// vested unit; null when the co-op has distributed none.
	RecentValue *equity.UnitValue `json:"recent_value"`
}

// handlePace: GET /api/projects/:id/pace — the median time a task of the
// project takes and a unit's recent value, for "know the pay before the
// work" on project cards.
func (s *Server) handlePace(c *gin.Context) {
	p, ok := s.project(c)
	if !ok {
		return
	}
	pace, err := s.projects.ProjectPace(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	v, err := s.register.RecentUnitValue(c.Request.Context(), p.ModelID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, projectPace{ProjectPace: pace, RecentValue: v})
}
