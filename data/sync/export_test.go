package sync

// Internals the external tests (package sync_test) reach: the page decoder and its checks.

// PageView is what a test may read of a decoded page.
type PageView struct {
	IDs  []int64
	Next string
	More bool
	Size int64
}

// DecodePageForTest decodes a page as a sync does.
func DecodePageForTest(entity, from string, body []byte, limit int) (PageView, error) {
	pg, err := decodePage(entity, from, body, limit)
	if err != nil {
		return PageView{}, err
	}
	return PageView{IDs: pg.IDs, Next: pg.Next, More: pg.more, Size: pg.size()}, nil
}

var (
	CheckResource     = checkResource
	CheckService      = checkService
	CheckCustomer     = checkCustomer
	CheckAppointment  = checkAppointment
	CheckPayment      = checkPayment
	CheckSubscription = checkSubscription
	MaxPageBody       = uint64(maxPageBody)
	SettingsPath      = syncSettingsPath
)

// LegacySyncSetting is the single settings file of older builds.
const LegacySyncSetting = legacySyncSetting
