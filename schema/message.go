package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Messages: libxml2's wording, cleaned up for a person. The namespace
// clutter ({urn:...}Name) goes, the element comes first ("CASNumber: ..."),
// and the frequent cases are reworded; anything else keeps libxml2's text.

var (
	// reNamespace matches {namespace} before a name. A namespace URI has a
	// colon; a regex quantifier such as {0,8} in a pattern has none.
	reNamespace = lazyRE(`\{[^{}'"\s]*:[^{}'"\s]*\}`)
	reSpaces    = lazyRE(`\s+`)

	reNotValidType = lazyRE(`^('(?s:.*)') is not a valid value of the (local )?(atomic|list|union) type(?: '([^']*)')?\.?$`)
	rePattern      = lazyRE(`^\[facet 'pattern'\] The value ('(?s:.*)') is not accepted by the pattern '((?s:.*))'\.?$`)
	reEnumeration  = lazyRE(`^\[facet 'enumeration'\] The value ('(?s:.*)') is not an element of the set \{((?s:.*))\}\.?$`)
	reMaxLength    = lazyRE(`^\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds the allowed maximum length of '(\d+)'\.?$`)
	reMinLength    = lazyRE(`^\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns the allowed minimum length of '(\d+)'\.?$`)
	reLength       = lazyRE(`^\[facet 'length'\] The value ('(?s:.*)') has a length of '(\d+)'; this differs from the allowed length of '(\d+)'\.?$`)
	reMinIncl      = lazyRE(`^\[facet 'minInclusive'\] The value ('(?s:.*)') is less than the minimum value allowed \('(.*)'\)\.?$`)
	reMaxIncl      = lazyRE(`^\[facet 'maxInclusive'\] The value ('(?s:.*)') is greater than the maximum value allowed \('(.*)'\)\.?$`)
	reFacet        = lazyRE(`^\[facet '[A-Za-z]+'\] `)
	reNotExpected  = lazyRE(`^This element is not expected\.(?: Expected is (one of )?\( (.*) \))?\.?$`)
	reMissing      = lazyRE(`^Missing child element\(s\)\.(?: Expected is (one of )?\( (.*) \))?\.?$`)
	reAttrMissing  = lazyRE(`^The attribute '([^']*)' is required but missing\.?$`)
	reAttrNotAllow = lazyRE(`^The attribute '([^']*)' is not allowed\.?$`)
)

// validityMessage rewrites a schema validity message in the sponsor's
// words: which element, the value found (shown safely), and what it must be
// (from v, the XSD's own types: never a pattern or a type's name). libxml2's
// text is read only for the element, the value and the elements expected.
func validityMessage(m string, v *vocab) string {
	m = strings.TrimSpace(reNamespace().ReplaceAllString(m, ""))
	subject := ""
	if rest, ok := strings.CutPrefix(m, "Element '"); ok {
		if j := strings.IndexByte(rest, '\''); j >= 0 {
			subject, rest = rest[:j], rest[j+1:]
			if a, ok := strings.CutPrefix(rest, ", attribute '"); ok {
				if k := strings.IndexByte(a, '\''); k >= 0 {
					subject += "/@" + a[:k]
					rest = a[k+1:]
				}
			}
			m = strings.TrimPrefix(rest, ": ")
		}
	}
	if v == nil {
		v = &vocab{}
	}
	// invalid says that value (quoted) is not a valid value of the
	// element's type (else of type key, from the message), and what it must be.
	invalid := func(value, key string) string {
		if t, ok := v.elem[subject]; ok {
			key = t
		}
		noun, must := v.words(key)
		msg := quoted(value) + " is not a valid " + noun
		if must != "" {
			msg += "; it must be " + must
		}
		return msg
	}
	switch {
	case reNotValidType().MatchString(m):
		g := reNotValidType().FindStringSubmatch(m)
		m = invalid(g[1], typeKey(g[4]))
	case rePattern().MatchString(m):
		m = invalid(rePattern().FindStringSubmatch(m)[1], "")
	case reEnumeration().MatchString(m):
		g := reEnumeration().FindStringSubmatch(m)
		if _, ok := v.elem[subject]; ok {
			m = invalid(g[1], "")
		} else {
			m = quoted(g[1]) + " is not a valid value; it must be one of " +
				orList(strings.Split(strings.ReplaceAll(g[2], "'", ""), ", "))
		}
	case reMaxLength().MatchString(m):
		g := reMaxLength().FindStringSubmatch(m)
		m = "the value is " + g[1] + " characters long, more than the " + g[2] + " allowed"
	case reMinLength().MatchString(m):
		g := reMinLength().FindStringSubmatch(m)
		if g[1] == "0" {
			m = "the value is empty; it must be at least " + g[2] + " character" + plural(atoi(g[2])) + " long"
		} else {
			m = "the value is " + g[1] + " characters long, fewer than the " + g[2] + " required"
		}
	case reLength().MatchString(m):
		g := reLength().FindStringSubmatch(m)
		m = invalid(g[1], "") + " (it is " + g[2] + " characters long, not " + g[3] + ")"
	case reMinIncl().MatchString(m):
		g := reMinIncl().FindStringSubmatch(m)
		m = quoted(g[1]) + " is less than the minimum, " + g[2]
	case reMaxIncl().MatchString(m):
		g := reMaxIncl().FindStringSubmatch(m)
		m = quoted(g[1]) + " is more than the maximum, " + g[2]
	case reNotExpected().MatchString(m):
		g := reNotExpected().FindStringSubmatch(m)
		m = "this element is not expected here"
		if g[2] != "" {
			m += "; expected here: " + orList(strings.Split(g[2], ", "))
		}
	case reMissing().MatchString(m):
		g := reMissing().FindStringSubmatch(m)
		switch names := strings.Split(g[2], ", "); {
		case g[2] == "":
			m = "a required element is missing"
		case len(names) == 1:
			m = names[0] + " is missing"
		default:
			m = "one of " + orList(names) + " is missing"
		}
	case reAttrMissing().MatchString(m):
		m = "the attribute " + reAttrMissing().FindStringSubmatch(m)[1] + " is required"
	case reAttrNotAllow().MatchString(m):
		m = "the attribute " + reAttrNotAllow().FindStringSubmatch(m)[1] + " is not allowed"
	case strings.HasPrefix(m, "Character content other than whitespace is not allowed"):
		m = "text is not allowed here, only child elements"
	case strings.HasPrefix(m, "Character content is not allowed, because the content type is empty"):
		m = "this element must be empty"
	case strings.HasPrefix(m, "Element content is not allowed, because the"):
		m = "child elements are not allowed here, only a value"
	case strings.HasPrefix(m, "No matching global declaration available for the validation root"):
		m = "not a root element of this schema"
	default:
		if loc := reFacet().FindStringIndex(m); loc != nil {
			m = m[loc[1]:]
		}
		m = lowerFirst(m)
	}
	m = tidy(m)
	if subject != "" {
		return subject + ": " + m
	}
	return m
}

// quoted is a value as libxml2's message quotes it ('...'), shown safely.
func quoted(v string) string {
	return "'" + shown(strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'")) + "'"
}

// atoi is strconv.Atoi for the digits a message's pattern matched.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

var parserRewrites = []struct {
	re   func() *regexp.Regexp
	repl string
}{
	{lazyRE(`^Document is empty$`), "no root element: the file must start with an XML element"},
	{lazyRE(`^Start tag expected, '<' not found$`), "the file does not start with an XML element ('<' not found)"},
	{lazyRE(`^Input is not proper UTF-8, indicate encoding ! Bytes: (.*)$`), "the text is not valid UTF-8 (bytes $1)"},
	{lazyRE(`^Char 0x0 out of allowed range$`), "a NUL byte (character 0x0) is not allowed in XML"},
	{lazyRE(`^Char (0x[0-9A-Fa-f]+) out of allowed range$`), "character $1 is not allowed in XML"},
	{lazyRE(`^PCDATA invalid Char value (\d+)$`), "character $1 is not allowed in XML text"},
	{lazyRE(`^Premature end of data in tag (\S+) line (\d+)$`), "the file ends inside element $1 (opened on line $2): it is truncated or a tag is not closed"},
	{lazyRE(`^Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)$`), "end tag </$3> does not match start tag <$1> of line $2"},
	{lazyRE(`^Couldn't find end of Start Tag (\S+)(?: line (\d+))?$`), "the start tag <$1> is not finished (the file may be truncated)"},
	{lazyRE(`^Extra content at the end of the document$`), "extra content after the end of the root element"},
	{lazyRE(`^Entity '([^']*)' not defined$`), "entity &$1; is not defined (a BDT file has no entities)"},
	{lazyRE(`^Namespace prefix (\S+) on (\S+) is not defined$`), "namespace prefix $1 of element $2 is not declared"},
	{lazyRE(`^internal error: Huge input lookup$`), "a tag, name, attribute value, comment or processing instruction is longer than the parser's limit of 10,000,000 bytes"},
	{lazyRE(`^.*huge text node$`), "a text value is longer than the parser's limit of 10,000,000 bytes"},
	{lazyRE(`^Excessive depth in document: (\d+) use XML_PARSE_HUGE option$`), "elements are nested more than $1 levels deep (a BDT file has four)"},
}

// msgPastCap is the R.SCHEMA message of a record element (named record)
// whose schema errors lie past the cap on the issues reported.
func msgPastCap(record string) string {
	return record + ": this record is not valid against the schema; its errors are not listed, as the file has more than the most reported (--max-errors)"
}

// truncatedMessage says that the file ends inside the element at path (an
// element path such as /FeeUpdate/CASFeeUpdate[3]). libxml2's own message
// for it is "Extra content at the end of the document", which says the
// opposite of what happened.
func truncatedMessage(path string) string {
	name := pathField(path)
	return fmt.Sprintf("the file ends inside element %s (%s): it is truncated, or an end tag is missing", name, path)
}

// pathField is the last element of an element path, without its position.
func pathField(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if i := strings.IndexByte(p, '['); i >= 0 {
		p = p[:i]
	}
	return p
}

// parserMessage tidies a parser (well-formedness) message.
func parserMessage(m string) string {
	m = tidy(m)
	for _, r := range parserRewrites {
		if r.re().MatchString(m) {
			return r.re().ReplaceAllString(m, r.repl)
		}
	}
	return m
}

// tidy folds white space and drops a final full stop.
func tidy(m string) string {
	m = strings.TrimSpace(reSpaces().ReplaceAllString(m, " "))
	return strings.TrimSuffix(m, ".")
}

func lowerFirst(s string) string {
	if len(s) >= 2 && s[0] >= 'A' && s[0] <= 'Z' && (s[1] < 'A' || s[1] > 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}
