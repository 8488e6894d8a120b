package schema

/*
#include "bdtxml.h"
*/
import "C"

// decoder turns the compact buffer bdt_next fills into a Node tree. A
// record's nodes, child lists and texts are allocated in three blocks, not
// one allocation per node; element names are interned, as they repeat in
// every record.
type decoder struct {
	// slab > 0 takes the nodes of many records from blocks of that many
	// nodes (fewer allocations, for Options.Concurrent); a record kept
	// keeps its block.
	slab     int
	nodeSlab []Node
	ptrSlab  []*Node
	// reuse decodes every record into the same nodes (Options.Transient);
	// it takes precedence over slab.
	reuse bool

	names  map[string]string
	byPos  []string // the name of each node of the last record, by index
	kids   []int    // children per node, by node index (pass 1)
	stack  []int    // open nodes, by index
	text   [][]byte // text gathered per open element (pass 2)
	texts  []byte   // every leaf's trimmed text, end to end
	spans  [][2]int // each node's text in texts
	leaves []int    // nodes that are leaves
}

// alloc returns n nodes and n-1 child pointers.
func (d *decoder) alloc(n int) ([]Node, []*Node) {
	if d.reuse {
		if cap(d.nodeSlab) < n {
			d.nodeSlab, d.ptrSlab = make([]Node, n), make([]*Node, n)
		}
		nodes, ptrs := d.nodeSlab[:n:n], d.ptrSlab[:n-1:n-1]
		clear(nodes)
		return nodes, ptrs
	}
	if d.slab == 0 || n > d.slab/4 {
		return make([]Node, n), make([]*Node, n-1)
	}
	if len(d.nodeSlab) < n {
		d.nodeSlab = make([]Node, d.slab)
	}
	if len(d.ptrSlab) < n-1 {
		d.ptrSlab = make([]*Node, d.slab)
	}
	nodes, ptrs := d.nodeSlab[:n:n], d.ptrSlab[:n-1:n-1]
	d.nodeSlab, d.ptrSlab = d.nodeSlab[n:], d.ptrSlab[n-1:]
	return nodes, ptrs
}

// trimSpace returns b without its leading and trailing XML white space
// (space, tab, CR, LF): bytes.Trim with that cutset builds its set of
// bytes on every call, and this runs for every leaf of every record.
func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

func le32(b []byte) int {
	return int(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
}

// name returns the interned name b of node k of a record. Records of a
// file repeat one another's elements in order: the name of the previous
// record's node k is tried before the map.
func (d *decoder) name(k int, b []byte) string {
	if k < len(d.byPos) && d.byPos[k] == string(b) {
		return d.byPos[k]
	}
	s := d.intern(b)
	if k < len(d.byPos) {
		d.byPos[k] = s
	} else if k == len(d.byPos) && k < 256 {
		d.byPos = append(d.byPos, s)
	}
	return s
}

// intern returns b as a string, the same one for every equal b (up to 4,096
// names).
func (d *decoder) intern(b []byte) string {
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.names) < 4096 {
		d.names[s] = s
	}
	return s
}

func (d *decoder) decode(b []byte) *Node {
	// Pass 1: how many nodes, and how many children each has.
	d.kids, d.stack = d.kids[:0], d.stack[:0]
	for i := 0; i < len(b); {
		switch b[i] {
		case C.BDT_TAG_START:
			if k := len(d.stack); k > 0 {
				d.kids[d.stack[k-1]]++
			}
			d.stack = append(d.stack, len(d.kids))
			d.kids = append(d.kids, 0)
			i += 9 + le32(b[i+5:])
		case C.BDT_TAG_TEXT:
			i += 5 + le32(b[i+1:])
		default: // C.BDT_TAG_END
			i++
			if k := len(d.stack); k > 0 {
				d.stack = d.stack[:k-1]
			}
		}
	}
	if len(d.kids) == 0 {
		return nil
	}
	nodes, ptrs := d.alloc(len(d.kids))
	off := 0
	for k, c := range d.kids {
		if c > 0 {
			nodes[k].Children = ptrs[off : off : off+c]
			off += c
		}
	}

	// Pass 2: names, lines, texts, children.
	d.stack, d.texts, d.spans, d.leaves = d.stack[:0], d.texts[:0], d.spans[:0], d.leaves[:0]
	closeNode := func(k int) {
		idx := d.stack[k]
		if d.kids[idx] == 0 {
			t := trimSpace(d.text[k])
			d.leaves = append(d.leaves, idx)
			d.spans = append(d.spans, [2]int{len(d.texts), len(d.texts) + len(t)})
			d.texts = append(d.texts, t...)
		}
	}
	next := 0
	for i := 0; i < len(b); {
		switch b[i] {
		case C.BDT_TAG_START:
			n := le32(b[i+5:])
			node := &nodes[next]
			node.Name, node.Line = d.name(next, b[i+9:i+9+n]), le32(b[i+1:])
			i += 9 + n
			if k := len(d.stack); k > 0 {
				p := &nodes[d.stack[k-1]]
				p.Children = append(p.Children, node) // within the capacity set above
			}
			d.stack = append(d.stack, next)
			next++
			if len(d.text) < len(d.stack) {
				d.text = append(d.text, nil)
			}
			d.text[len(d.stack)-1] = d.text[len(d.stack)-1][:0]
		case C.BDT_TAG_TEXT:
			n := le32(b[i+1:])
			if k := len(d.stack); k > 0 {
				d.text[k-1] = append(d.text[k-1], b[i+5:i+5+n]...)
			}
			i += 5 + n
		default: // C.BDT_TAG_END
			i++
			if k := len(d.stack); k > 0 {
				closeNode(k - 1)
				d.stack = d.stack[:k-1]
			}
		}
	}
	// A capture cut short (see BDT_MAX_CAPTURE) leaves elements open.
	for k := len(d.stack) - 1; k >= 0; k-- {
		closeNode(k)
	}
	all := string(d.texts)
	for j, idx := range d.leaves {
		nodes[idx].Text = all[d.spans[j][0]:d.spans[j][1]]
	}
	return &nodes[0]
}
