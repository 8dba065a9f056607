package drconfig

//go:generate go run ../tools/settingsdoc --root ..
