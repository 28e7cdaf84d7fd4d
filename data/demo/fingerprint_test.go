package demo_test

import (
	"os"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/demo"
)

// demoFingerprints are the demo's tables for two seeds and sizes as the sequential builder wrote
// them before the build was pipelined: the pipelined build must write exactly the same rows.
var demoFingerprints = map[string]map[string]string{
	"seed 42, 3000": {
		"appointments":  "1ea4031de0c3264673b5f0013e767c2693aa83845b7826a811a4a5721d630cab",
		"customers":     "8a266796dcdcc6202a045360a1e216d458c0acb432893b131cb502aa63de1888",
		"payments":      "a3817cabbbc2ad6c1a4ad676e9dabc0b3c8eb88fbf354a1fc3a87a70e60a0137",
		"resources":     "356000cba7881dcb069f8ff4955052591cd0ceb18b2675ca5790e87c9d39c8c0",
		"services":      "977288c397876f6a330877900f3729668a8ef78334e806204be865c058d4c427",
		"subscriptions": "e09f52c14859046ef5e2650e364935c0a2b5838866731a34a6d545de2738cac3",
	},
	"seed 7, 25000": {
		"appointments":  "7e6ca44e850625dd49af518b21cbf47225831b6bf4f7f939c08e031280adbe21",
		"customers":     "cd3e7eca3a5f108f2bf91e3b487bcdedfc8d52d9fe272b54c2db48a2597fa10d",
		"payments":      "4c588f8458e51c562737b33b42a3cd8815364849406db957493be2389071f2c4",
		"resources":     "356000cba7881dcb069f8ff4955052591cd0ceb18b2675ca5790e87c9d39c8c0",
		"services":      "977288c397876f6a330877900f3729668a8ef78334e806204be865c058d4c427",
		"subscriptions": "fdfe43774ac47466b6d24e185b50ebb6c5e8f245cec7256fca52ceb5690fb70e",
	},
}

var demoFingerprintOptions = map[string]demo.Options{
	"seed 42, 3000": {Appointments: 3000, Seed: 42, Today: datatest.DemoToday},
	"seed 7, 25000": {Appointments: 25_000, Seed: 7, Today: datatest.DemoToday},
}

func TestDemoRowsUnchanged(t *testing.T) {
	for name, o := range demoFingerprintOptions {
		st := datatest.BuildDemo(t, t.TempDir(), o)
		got := datatest.TableHash(t, st)
		if os.Getenv("ALMANAC_PRINT_FINGERPRINTS") != "" {
			t.Logf("%q: %#v", name, got)
			continue
		}
		want := demoFingerprints[name]
		for _, table := range data.Entities() {
			if got[table] != want[table] {
				t.Errorf("%s: %s: got %s, want %s", name, table, got[table], want[table])
			}
		}
	}
}
