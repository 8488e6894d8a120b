package schema

import (
	"bytes"
	"encoding/xml"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// Words: what a schema message says a value must be, in the sponsor's
// words. A simple type's enumeration and length facets say it themselves
// (read from the XSD); a pattern or a built-in type cannot, and typeWords
// says it instead. TestTypeWords checks that every simple type of every
// embedded XSD, and every built-in type they use, has words.

// typeWord is what a value of one simple type is called (noun) and, where
// its facets cannot say it, what it must be (must).
type typeWord struct{ noun, must string }

// typeWords are the words of every simple type of the embedded XSDs, by
// local name, and of the built-in types they use ("xs:" and the name).
var typeWords = map[string]typeWord{
	// common.xsd
	"LicenceNumber":       {"licence number", "9 capital letters and digits, such as 4NUV7KB58"},
	"CASNumber":           {"CAS number", "14 capital letters and digits, such as CAS26000000001"},
	"CoSNumber":           {"CoS number", "14 capital letters and digits, such as COS26000000001"},
	"SMSUserId":           {"SMS user id", "3 to 64 letters, digits, dots, underscores and hyphens, starting with a letter or digit, such as jsmith01"},
	"FileId":              {"file id", "1 to 64 letters, digits, dots, underscores and hyphens, starting with a letter or digit, such as FEES-2026-11-19"},
	"Reference":           {"reference", ""},
	"Amount":              {"amount", "an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros"},
	"Name":                {"name", ""},
	"Text":                {"text", ""},
	"Nationality":         {"nationality", "a country code of three capital letters, such as IND, or STATELESS"},
	"AddressLine":         {"address line", ""},
	"Town":                {"town", ""},
	"Postcode":            {"postcode", "a UK postcode such as S1 2AB or SW1A 1AA"},
	"Phone":               {"phone number", "6 to 20 digits, spaces, hyphens and brackets, starting and ending with a digit (a + may come first), such as 0114 496 0000"},
	"Email":               {"email address", "an email address such as a.student@example.ac.uk, of at most 254 characters"},
	"StudentActivityType": {"student activity type", ""},
	"WorkerActivityType":  {"worker activity type", ""},
	// register-v1.xsd
	"LicenceStatus":         {"licence status", ""},
	"Route":                 {"route", ""},
	"Nation":                {"nation", ""},
	"UserLevel":             {"user level", ""},
	"UserStatus":            {"user status", ""},
	"CASStatus":             {"CAS status", ""},
	"CoSStatus":             {"CoS status", ""},
	"Timestamp":             {"date and time", "a date and time with its time zone, such as 2026-11-23T02:00:00Z"},
	"ConfirmationReference": {"confirmation reference", ""},
	"Title":                 {"title", ""},
	"SOCCode":               {"occupation code", "4 digits, such as 2136"},
	"Source":                {"source", ""},
	"NoteText":              {"note", ""},
	// result-v1.xsd
	"Sha256":       {"SHA-256 hash", "64 lower-case hexadecimal digits"},
	"FileStatus":   {"file status", ""},
	"RecordStatus": {"record status", ""},
	"RuleId":       {"rule id", "a rule id such as R.CERT.FOUND"},
	"Severity":     {"severity", ""},
	// casexport-v1.xsd, cosexport-v1.xsd
	"Instant": {"instant", "a date and time in UTC ending in Z, such as 2026-11-02T09:30:00Z"},
	// built-in types
	"xs:string":             {"value", "text"},
	"xs:token":              {"value", "text"},
	"xs:decimal":            {"number", "a number such as 1234.5"},
	"xs:integer":            {"whole number", "a whole number such as 2"},
	"xs:nonNegativeInteger": {"number", "a whole number, 0 or more, such as 3"},
	"xs:positiveInteger":    {"number", "a whole number, 1 or more, such as 3"},
	"xs:boolean":            {"yes-or-no value", "true or false (or 1 or 0)"},
	"xs:date":               {"date", "a date written YYYY-MM-DD, such as 2026-11-23"},
	"xs:dateTime":           {"date and time", "a date and time written YYYY-MM-DDThh:mm:ss with a time zone, such as 2026-11-23T02:00:00Z"},
}

// simpleType is a simple type as its XSD declares it: what it restricts
// and the facets it has.
type simpleType struct {
	base           string // a local name, or "xs:" and a built-in's
	enums          []string
	minLen, maxLen int  // -1 when absent
	pattern        bool // a pattern, which no words can be made of
}

// vocab is what messages need of one format's XSDs: the declared type of
// each element (by local name, where unique) and the simple types.
type vocab struct {
	elem  map[string]string
	types map[string]simpleType
}

// typeKey is the key of the type named by a QName: "xs:" and the local
// name for a built-in type (prefix xs or xsd), else the local name.
func typeKey(qname string) string {
	prefix, local, ok := strings.Cut(qname, ":")
	if !ok {
		return qname
	}
	if prefix == "xs" || prefix == "xsd" {
		return "xs:" + local
	}
	return local
}

// words returns what a value of type key is called and what it must be:
// typeWords, else the type's enumeration or length facets, else its base's.
func (v *vocab) words(key string) (noun, must string) {
	w := typeWords[key]
	noun, must = w.noun, w.must
	st, ok := v.types[key]
	for depth := 0; must == "" && ok && depth < 8; depth++ {
		switch {
		case len(st.enums) > 0:
			must = "one of " + orList(st.enums)
		case st.minLen >= 0 || st.maxLen >= 0:
			must = lengthWords(st.minLen, st.maxLen)
		case st.pattern:
			ok = false // its base's words would say too little
		default:
			if must = typeWords[st.base].must; must == "" {
				st, ok = v.types[st.base]
			}
		}
	}
	if noun == "" {
		noun = "value"
	}
	return noun, must
}

// lengthWords says how long a text must be.
func lengthWords(min, max int) string {
	switch {
	case min >= 0 && max >= 0:
		return "text of " + strconv.Itoa(min) + " to " + strconv.Itoa(max) + " characters"
	case min >= 0:
		return "text of at least " + strconv.Itoa(min) + " character" + plural(min)
	default:
		return "text of at most " + strconv.Itoa(max) + " character" + plural(max)
	}
}

// orList joins items as "A", "A or B", "A, B or C".
func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// shown returns a value from a document as a message shows it: control
// characters and other invisible ones escaped (\n, \u200B), so that a
// value cannot break a line of a report nor hide what it holds. (The
// validator's C side has already cut it to about 100 bytes.)
func shown(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == ' ' || (unicode.IsPrint(r) && r != unicode.ReplacementChar):
			b.WriteRune(r)
		default:
			b.WriteString(strconv.QuoteRuneToASCII(r)[1 : len(strconv.QuoteRuneToASCII(r))-1])
		}
	}
	return b.String()
}

// readVocab reads the vocab of main and the files it includes.
func readVocab(main string, xsds []xsdFile) *vocab {
	v := &vocab{elem: map[string]string{}, types: map[string]simpleType{}}
	ambiguous := map[string]bool{}
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		var data []byte
		for _, f := range xsds {
			if f.name == name || (path.Base(f.name) == path.Base(name) && data == nil) {
				data = f.data
			}
		}
		dec := xml.NewDecoder(bytes.NewReader(data))
		var cur string // the named simple type being read
		st := simpleType{}
		for {
			tok, err := dec.Token()
			if err != nil {
				return
			}
			if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "simpleType" && cur != "" {
				v.types[cur] = st
				cur = ""
				continue
			}
			se, ok := tok.(xml.StartElement)
			if !ok || se.Name.Space != "http://www.w3.org/2001/XMLSchema" {
				continue
			}
			attr := func(n string) string {
				for _, a := range se.Attr {
					if a.Name.Local == n && a.Name.Space == "" {
						return a.Value
					}
				}
				return ""
			}
			switch se.Name.Local {
			case "include", "import", "redefine":
				if loc := attr("schemaLocation"); loc != "" {
					visit(path.Join(path.Dir(name), loc))
				}
			case "simpleType":
				if n := attr("name"); n != "" {
					cur, st = n, simpleType{minLen: -1, maxLen: -1}
				}
			case "restriction":
				st.base = typeKey(attr("base"))
			case "pattern":
				st.pattern = true
			case "enumeration":
				st.enums = append(st.enums, attr("value"))
			case "minLength", "length":
				st.minLen, _ = strconv.Atoi(attr("value"))
				if se.Name.Local == "length" {
					st.maxLen = st.minLen
				}
			case "maxLength":
				st.maxLen, _ = strconv.Atoi(attr("value"))
			case "element":
				el, typ := attr("name"), attr("type")
				if el == "" || typ == "" {
					continue
				}
				typ = typeKey(typ)
				if old, ok := v.elem[el]; ok && old != typ {
					ambiguous[el] = true
				}
				v.elem[el] = typ
			}
		}
	}
	visit(main)
	for el := range ambiguous {
		delete(v.elem, el)
	}
	return v
}
