package event

import "copyhold/labeling/event/feed"

// CoordinatorScope names the coordinators' channel.
const CoordinatorScope = feed.CoordinatorScope
