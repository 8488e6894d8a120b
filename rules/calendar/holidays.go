package calendar

// Nation is the UK nation whose bank holidays apply.
type Nation string

// Nations with their own bank-holiday calendars.
const (
	EnglandAndWales Nation = "ENGLAND_AND_WALES"
	Scotland        Nation = "SCOTLAND"
	NorthernIreland Nation = "NORTHERN_IRELAND"
)

// Holiday is one bank holiday.
type Holiday struct {
	Date Date
	Name string
}

// TODO(calendar helper): Holidays, IsHoliday, IsWorkingDay, AddWorkingDays, WorkingDaysBetween.
