package importer

import (
	"copyhold/labeling/fault"
	"copyhold/labeling/textrule"
)

// Errors of import files and Label Studio configs and results.
var (
	ErrImportFormat   = fault.New(fault.KindInvalid, "import_invalid", "the import file is malformed")
	ErrImportTooLarge = fault.New(fault.KindInvalid, "import_too_large", "a record in the import file is too large")
	ErrLSConfig       = fault.New(fault.KindInvalid, "ls_config_unsupported", "the Label Studio labeling config cannot be used")
	ErrLSResult       = fault.New(fault.KindInvalid, "ls_result_unsupported", "the Label Studio result cannot be converted")
	// ErrAnnotationsChoiceRequired: a Label Studio file carries annotations
	// and the import did not say what they become.
	ErrAnnotationsChoiceRequired = fault.New(fault.KindInvalid, "annotations_choice_required", "the file carries Label Studio annotations: choose predictions, prior, gold or drop")
)

// textErr puts the line or record in front of a text-rule refusal; the code
// stays invalid_text.
func textErr(where string, err error) error {
	return textrule.ErrInvalidText.With("%s: %s", where, err.Error())
}
