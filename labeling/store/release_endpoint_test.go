package store_test

import (
	"testing"

	"copyhold/labeling/dataset"
	"copyhold/labeling/page"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// A release names the endpoint that serves it; the name shows in every
// read of the release, is not part of its hash, and goes when the endpoint
// is deleted.
func TestReleaseEndpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		p := d.pairwiseProject("prefs")
		snap := d.snapshot("", p.ID)
		r, err := d.S.Datasets.CreateRelease(d.Ctx, &d.Coord, dataset.ReleaseRequest{ModelID: d.Model.ID, Version: "v1", SnapshotHashes: []string{snap.Hash}})
		if err != nil {
			t.Fatal(err)
		}
		if r.EndpointID != nil {
			t.Fatalf("a new release names endpoint %d", *r.EndpointID)
		}
		now := d.Clock.Now()
		if err := db.Exec(`INSERT INTO model_endpoints (name, base_url, model, created_by, created_at, updated_at) VALUES ('local', 'http://127.0.0.1:8080/v1', 'm', ?, ?, ?)`,
			d.Coord, now, now).Error; err != nil {
			t.Fatal(err)
		}
		var epID int64
		db.Raw(`SELECT id FROM model_endpoints WHERE name = 'local'`).Scan(&epID)
		got, err := d.S.Datasets.SetReleaseEndpoint(d.Ctx, d.Coord, r.ID, &epID)
		if err != nil || got.EndpointID == nil || *got.EndpointID != epID || got.Hash != r.Hash {
			t.Fatalf("set: %v %+v", err, got)
		}
		list, err := d.S.Datasets.Releases(d.Ctx, d.Model.ID, page.All)
		if err != nil || len(list) != 1 || list[0].EndpointID == nil || *list[0].EndpointID != epID {
			t.Fatalf("list: %v %+v", err, list)
		}
		if n := d.Count(`SELECT COUNT(*) FROM events WHERE type = 'release.endpoint_set' AND scope = 'coordinators'`); n != 1 {
			t.Fatalf("%d events", n)
		}
		_, err = d.S.Datasets.SetReleaseEndpoint(d.Ctx, d.Coord, r.ID+99, &epID)
		storetest.WantCode(t, err, dataset.ErrReleaseNotFound)
		if err := db.Exec(`DELETE FROM model_endpoints WHERE id = ?`, epID).Error; err != nil {
			t.Fatal(err)
		}
		again, err := d.S.Datasets.ModelRelease(d.Ctx, r.ID)
		if err != nil || again.EndpointID != nil {
			t.Fatalf("after the endpoint was deleted: %v %+v", err, again.EndpointID)
		}
		if got, err := d.S.Datasets.SetReleaseEndpoint(d.Ctx, d.Coord, r.ID, nil); err != nil || got.EndpointID != nil {
			t.Fatalf("clear: %v", err)
		}
	})
}
