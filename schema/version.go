package schema

/*
#include "bdtxml.h"
*/
import "C"

import (
	"fmt"
	"strconv"
)

// LibxmlVersion returns the version of the libxml2 library this process
// runs with, dotted ("2.9.14"), as the library itself reports it at run
// time (xmlParserVersion), which may differ from the headers it was built
// against.
func LibxmlVersion() string {
	initLibxml()
	return dottedVersion(C.GoString(C.bdt_libxml_version()))
}

// dottedVersion turns libxml2's numeric version ("20914", possibly followed
// by a suffix such as "-GITv2.10.0") into "2.9.14"; a string that does not
// begin with a number is returned as it is.
func dottedVersion(v string) string {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(v[:i])
	if err != nil {
		return v
	}
	return fmt.Sprintf("%d.%d.%d", n/10000, n/100%100, n%100)
}
