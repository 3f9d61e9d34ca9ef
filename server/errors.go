package server

import (
	"bytes"
	"context"
	"copyhold/labeling/fault"
	"copyhold/labeling/textrule"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// statusOf is the one place where domain error kinds become HTTP statuses.
func statusOf(k fault.Kind) int {
	switch k {
	case fault.KindNotFound:
		return http.StatusNotFound
	case fault.KindConflict:
		return http.StatusConflict
	case fault.KindForbidden:
		return http.StatusForbidden
	case fault.KindUnauthenticated:
		return http.StatusUnauthorized
	case fault.KindRateLimited:
		return http.StatusTooManyRequests
	case fault.KindUnavailable:
		return http.StatusServiceUnavailable
	case fault.KindGone:
		return http.StatusGone
	}
	return http.StatusBadRequest // fault.KindInvalid and any kind not listed
}

// apiError is the JSON body of every error answer.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

var (
	errBodyTooLarge  = fault.New(fault.KindInvalid, "body_too_large", "the request body is too large")
	errMalformed     = fault.New(fault.KindInvalid, "malformed_json", "the request body is not valid JSON")
	errUnknownField  = fault.New(fault.KindInvalid, "unknown_field", "the request has an unknown field")
	errWrongType     = fault.New(fault.KindInvalid, "wrong_type", "a field has the wrong type")
	errUnavailable   = fault.New(fault.KindUnavailable, "unavailable", "the database is unavailable; try again shortly")
	errRouteMissing  = fault.New(fault.KindNotFound, "not_found", "no such API route")
	errMethod        = fault.New(fault.KindInvalid, "method_not_allowed", "method not allowed")
	errWrongPassword = fault.New(fault.KindInvalid, "wrong_password", "the current password is wrong")
)

// loggerKey holds, in each request's gin context, the logger the Server was
// given, so that fail, which handlers call without the Server, logs there.
const loggerKey = "copyhold.logger"

// withLogger puts the server's logger in the request context (first in the chain).
func (s *Server) withLogger() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(loggerKey, s.log)
		c.Next()
	}
}

// requestLogger is the server's logger for this request.
func requestLogger(c *gin.Context) *slog.Logger {
	v, _ := c.Get(loggerKey)
	if l, ok := v.(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler) // not reached: withLogger runs on every route
}

// fail answers err as {code, message}. Unknown errors are logged, through
// the server's logger, and hidden.
func fail(c *gin.Context, err error) {
	var de *fault.Error
	switch {
	case errors.As(err, &de):
		status := statusOf(de.Kind)
		if de.Code == errBodyTooLarge.Code {
			status = http.StatusRequestEntityTooLarge
		}
		if de.Code == errMethod.Code {
			status = http.StatusMethodNotAllowed
		}
		// A refusal that ends at a known time (a forced break) says when.
		var later interface{ RetryAt() time.Time }
		if errors.As(err, &later) {
			secs := max(1, int(math.Ceil(time.Until(later.RetryAt()).Seconds())))
			c.Header("Retry-After", strconv.Itoa(secs))
		}
		c.AbortWithStatusJSON(status, apiError{de.Code, de.Message})
	case clientGone(c, err):
		requestLogger(c).Info("client disconnected", "err", err, "request_id", c.GetString("request_id"), "path", c.FullPath())
		c.AbortWithStatusJSON(statusClientClosed, apiError{"client_closed", "the client closed the request"})
	case isUnavailable(err):
		requestLogger(c).Warn("database unavailable", "err", err, "request_id", c.GetString("request_id"))
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, apiError{errUnavailable.Code, errUnavailable.Message})
	default:
		requestLogger(c).Error("internal error", "err", err, "request_id", c.GetString("request_id"), "path", c.FullPath())
		c.AbortWithStatusJSON(http.StatusInternalServerError, apiError{"internal", "something went wrong on our side (request " + c.GetString("request_id") + ")"})
	}
}

// statusClientClosed is the status a request gets when its client went away
// before the answer (nginx's 499). Nobody reads the answer; the access log
// records the request as what it was, not as a server error.
const statusClientClosed = 499

// clientGone reports errors that mean the client cut the request off: the
// request's context is canceled (net/http cancels it when the connection
// closes, and when a write to it fails), or the error says so itself.
func clientGone(c *gin.Context, err error) bool {
	if errors.Is(c.Request.Context().Err(), context.Canceled) {
		return true
	}
	return errors.Is(err, context.Canceled)
}

// isUnavailable reports errors that mean the database cannot be reached.
func isUnavailable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "failed to connect", "conn closed", "broken pipe", "the database system is", "connection reset", "database is closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// bindJSON decodes the body strictly into v: unknown fields, wrong types,
// trailing data and oversize bodies are all clear 4xx errors.
func bindJSON(c *gin.Context, v any) bool {
	raw, err := io.ReadAll(c.Request.Body)
	if err == nil {
		err = strictUnmarshal(raw, v)
	} else {
		err = decodeError(err)
	}
	if err != nil {
		fail(c, err)
		return false
	}
	return true
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errBodyTooLarge.With("the request body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return errMalformed.With("the request body is empty; send a JSON object")
	case errors.As(err, &syn):
		return errMalformed.With("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return errWrongType.With("field %q must be %s, not %s", typ.Field, typ.Type.String(), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errUnknownField.With("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return errMalformed.With("%v", err)
	}
}

// strictUnmarshal decodes raw like bindJSON does, for handlers that need the raw bytes too.
// It applies the text rule (textrule.CheckJSON) first, on the raw bytes.
func strictUnmarshal(raw []byte, v any) error {
	if err := textrule.CheckJSON(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	if err != nil {
		return decodeError(err)
	}
	return nil
}

// idParam parses a positive integer path parameter.
func idParam(c *gin.Context, name string) (int64, bool) {
	var id int64
	if _, err := fmt.Sscan(c.Param(name), &id); err != nil || id <= 0 || fmt.Sprint(id) != c.Param(name) {
		fail(c, fault.ErrInvalid.With("%s must be a positive integer", name))
		return 0, false
	}
	return id, true
}
