/* Optional C core of papertriage: the two per-record loops of tagging.
 *
 *   Automaton(words)
 *       An Aho-Corasick automaton of its own over the phrases (used instead
 *       of pyahocorasick's where the C core is built; same hits as its iter).
 *
 *   scan_automaton(automaton, values, out, text, normalise, normalise_cased)
 *       Tables._scan_automaton: runs the Aho-Corasick automaton (an
 *       Automaton, or pyahocorasick's through its iter) over
 *       " " + normalise(text) + " " and appends (start, -end, rank, entry)
 *       occurrences to out[facet].
 *
 *   TagCore(info, facet_opts, facets, repeat_weight, repeat_cap, default,
 *           evidence_type, field_names).tag(per_field, texts)
 *       The facet loop of Tagger.tag: resolves the occurrences of every facet,
 *       weighs them and returns (given labels per facet, evidence per facet).
 *
 *   scan_patterns(text, patterns, out)
 *       Tables._scan_patterns: the regular-expression rules, each tried only
 *       where its literals allow, their occurrences appended to out[facet].
 *
 *   rows_as_dicts(keys, rows)
 *       [dict(zip(keys, row)) for row in rows]: the JSON objects of a
 *       record's evidence (output.paper_to_dict).
 *
 *   evidence_json(keys, evidence)
 *       The same objects already written as JSON, byte for byte as orjson
 *       writes them (output.paper_to_json_row, for JSONL output).
 *
 * Each gives exactly what the pure-Python code in matcher.py, engine.py and
 * output.py gives (the tests compare them); that code stays the reference. Plain
 * CPython C API, Python 3.10 and later.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------- */

/* Borrowed item of a tuple or list (any other type: TypeError). */
static PyObject *
seq_get(PyObject *seq, Py_ssize_t i, const char *what)
{
    Py_ssize_t n;
    if (PyTuple_Check(seq)) {
        n = PyTuple_GET_SIZE(seq);
        if (i < 0)
            i += n;
        if (i < 0 || i >= n)
            goto range;
        return PyTuple_GET_ITEM(seq, i);
    }
    if (PyList_Check(seq)) {
        n = PyList_GET_SIZE(seq);
        if (i < 0)
            i += n;
        if (i < 0 || i >= n)
            goto range;
        return PyList_GET_ITEM(seq, i);
    }
    PyErr_Format(PyExc_TypeError, "%s must be a tuple or list, not %.100s", what, Py_TYPE(seq)->tp_name);
    return NULL;
range:
    PyErr_Format(PyExc_IndexError, "%s index out of range", what);
    return NULL;
}

static Py_ssize_t
seq_len(PyObject *seq, const char *what)
{
    if (PyTuple_Check(seq))
        return PyTuple_GET_SIZE(seq);
    if (PyList_Check(seq))
        return PyList_GET_SIZE(seq);
    PyErr_Format(PyExc_TypeError, "%s must be a tuple or list, not %.100s", what, Py_TYPE(seq)->tp_name);
    return -1;
}

static int
as_ssize(PyObject *o, Py_ssize_t *out)
{
    Py_ssize_t v;
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "an integer is required, not %.100s", Py_TYPE(o)->tp_name);
        return -1;
    }
    v = PyLong_AsSsize_t(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

static int
as_double(PyObject *o, double *out)
{
    double v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

/* Float arithmetic exactly as Python does it: one rounding per operation
 * (no fused multiply-add, no extended precision). */
static double
py_mul(double a, double b)
{
    volatile double r = a * b;
    return r;
}

static double
py_add(double a, double b)
{
    volatile double r = a + b;
    return r;
}

/* Grow a malloc'ed array so that it holds at least `need` elements. */
static int
grow(void **buf, Py_ssize_t *cap, Py_ssize_t need, size_t elem)
{
    Py_ssize_t ncap;
    void *p;
    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    if ((size_t)ncap > PY_SSIZE_T_MAX / elem) {
        PyErr_NoMemory();
        return -1;
    }
    p = PyMem_Realloc(*buf, (size_t)ncap * elem);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = p;
    *cap = ncap;
    return 0;
}

/* -------------------------------------------------------------------------
 * scan_automaton
 * ---------------------------------------------------------------------- */

/* matcher._ASCII_TABLE: lower case, every non-alphanumeric byte a space. */
static unsigned char ascii_table[128];

static void
init_ascii_table(void)
{
    int c;
    for (c = 0; c < 128; c++) {
        if (c >= 'A' && c <= 'Z')
            ascii_table[c] = (unsigned char)(c + 32);
        else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
            ascii_table[c] = (unsigned char)c;
        else
            ascii_table[c] = ' ';
    }
}

/* " " + normalise(text) + " " (new reference). */
static PyObject *
padded_haystack(PyObject *text, PyObject *normalise)
{
    PyObject *norm, *space, *tmp, *hay;
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return NULL;
#endif
    if (PyUnicode_IS_ASCII(text)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(text), i;
        const Py_UCS1 *src = PyUnicode_1BYTE_DATA(text);
        Py_UCS1 *dst;
        hay = PyUnicode_New(n + 2, 127);
        if (hay == NULL)
            return NULL;
        dst = PyUnicode_1BYTE_DATA(hay);
        dst[0] = ' ';
        for (i = 0; i < n; i++)
            dst[i + 1] = ascii_table[src[i]];
        dst[n + 1] = ' ';
        return hay;
    }
    norm = PyObject_CallOneArg(normalise, text);
    if (norm == NULL)
        return NULL;
    if (!PyUnicode_Check(norm)) {
        PyErr_SetString(PyExc_TypeError, "normalise() must return a str");
        Py_DECREF(norm);
        return NULL;
    }
    space = PyUnicode_FromOrdinal(' ');
    if (space == NULL) {
        Py_DECREF(norm);
        return NULL;
    }
    tmp = PyUnicode_Concat(space, norm);
    Py_DECREF(norm);
    if (tmp == NULL) {
        Py_DECREF(space);
        return NULL;
    }
    hay = PyUnicode_Concat(tmp, space);
    Py_DECREF(tmp);
    Py_DECREF(space);
    return hay;
}

/* Text positions as Python ints, made once per process: an occurrence holds
 * two (start and minus its end), evidence two more, and an int above 256 is
 * otherwise a new object each time. Values in [-POS_CACHE, POS_CACHE) are
 * kept (at most 16,384 objects, made as they are first needed); others are
 * made as usual. Only touched under the GIL. */
#define POS_CACHE 8192
static PyObject *pos_cache[2 * POS_CACHE];

static PyObject *
pos_long(Py_ssize_t v)
{
    PyObject **slot, *o;
    if (v < -POS_CACHE || v >= POS_CACHE)
        return PyLong_FromSsize_t(v);
    slot = &pos_cache[v + POS_CACHE];
    o = *slot;
    if (o == NULL) {
        o = PyLong_FromSsize_t(v);
        if (o == NULL)
            return NULL;
        *slot = o; /* the cache's reference */
    }
    Py_INCREF(o);
    return o;
}

/* An occurrence: (start, -end, rank, entry). */
typedef struct {
    Py_ssize_t start, neg, rank, idx;
} Occ;

/* OccList: the occurrences of one facet held as C structs, where the scans
 * would append (start, -end, rank, entry) tuples to a list: TagCore reads
 * them without a tuple or int object per occurrence. Only the scans and
 * TagCore fill and read it; len() and to_list() show it. */
typedef struct {
    PyObject_HEAD
    Py_ssize_t n, cap;
    Occ *a;
} OccList;

static PyTypeObject OccList_Type;
#define OccList_Check(o) Py_IS_TYPE((o), &OccList_Type)

static int
occlist_push(OccList *l, Py_ssize_t start, Py_ssize_t neg, Py_ssize_t rank, Py_ssize_t idx)
{
    Occ *o;
    if (l->n >= l->cap && grow((void **)&l->a, &l->cap, l->n + 1, sizeof(Occ)) < 0)
        return -1;
    o = &l->a[l->n++];
    o->start = start;
    o->neg = neg;
    o->rank = rank;
    o->idx = idx;
    return 0;
}

static void
OccList_dealloc(OccList *self)
{
    PyMem_Free(self->a);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t
OccList_len(OccList *self)
{
    return self->n;
}

static PyObject *
OccList_to_list(OccList *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *out = PyList_New(self->n);
    Py_ssize_t i;
    if (out == NULL)
        return NULL;
    for (i = 0; i < self->n; i++) {
        Occ *o = &self->a[i];
        PyObject *t = Py_BuildValue("(nnnn)", o->start, o->neg, o->rank, o->idx);
        if (t == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, t);
    }
    return out;
}

static PySequenceMethods OccList_as_sequence = {
    .sq_length = (lenfunc)OccList_len,
};

static PyMethodDef OccList_methods[] = {
    {"to_list", (PyCFunction)OccList_to_list, METH_NOARGS, "to_list() -> the occurrences as (start, -end, rank, entry) tuples"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject OccList_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "papertriage._fastcore.OccList",
    .tp_basicsize = sizeof(OccList),
    .tp_dealloc = (destructor)OccList_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "OccList()\n\nOne facet's occurrences, filled by scan_automaton and scan_patterns in place of a list\n"
              "of (start, -end, rank, entry) tuples, and read by TagCore.tag.",
    .tp_as_sequence = &OccList_as_sequence,
    .tp_methods = OccList_methods,
    .tp_new = PyType_GenericNew,
};

/* Whether `dest` can take occurrences: a list or an OccList. */
static int
occ_sink_ok(PyObject *dest)
{
    return PyList_Check(dest) || OccList_Check(dest);
}

/* An occurrence onto an OccList (C values; rank and idx read from their
 * objects) */
static int
occlist_push_obj(OccList *l, Py_ssize_t start, Py_ssize_t neg, PyObject *rank, PyObject *idx)
{
    Py_ssize_t r, i;
    if (as_ssize(rank, &r) < 0 || as_ssize(idx, &i) < 0)
        return -1;
    return occlist_push(l, start, neg, r, i);
}

/* dest.append((start, neg, rank, idx)): dest is a list (or anything with
 * an append method) or an OccList. */
static int
occ_append(PyObject *dest, Py_ssize_t start, Py_ssize_t neg, PyObject *rank, PyObject *idx)
{
    PyObject *t;
    int rc;
    if (OccList_Check(dest))
        return occlist_push_obj((OccList *)dest, start, neg, rank, idx);
    t = PyTuple_New(4);
    if (t == NULL)
        return -1;
    PyTuple_SET_ITEM(t, 0, pos_long(start));
    PyTuple_SET_ITEM(t, 1, pos_long(neg));
    if (PyTuple_GET_ITEM(t, 0) == NULL || PyTuple_GET_ITEM(t, 1) == NULL) {
        Py_DECREF(t);
        return -1;
    }
    Py_INCREF(rank);
    PyTuple_SET_ITEM(t, 2, rank);
    Py_INCREF(idx);
    PyTuple_SET_ITEM(t, 3, idx);
    if (PyList_CheckExact(dest))
        rc = PyList_Append(dest, t);
    else {
        PyObject *r = PyObject_CallMethod(dest, "append", "O", t);
        rc = r == NULL ? -1 : 0;
        Py_XDECREF(r);
    }
    Py_DECREF(t);
    return rc;
}

/* out[fi].append((start, neg, rank, idx)), fi an int object. */
static int
append_occ(PyObject *out, PyObject *fi_obj, Py_ssize_t start, Py_ssize_t neg, PyObject *rank, PyObject *idx)
{
    Py_ssize_t fi;
    PyObject *dest;
    if (as_ssize(fi_obj, &fi) < 0)
        return -1;
    dest = seq_get(out, fi, "out");
    return dest == NULL ? -1 : occ_append(dest, start, neg, rank, idx);
}

/* One automaton hit: `end` in the padded haystack, `value` = (length, items, pairs). */
static int
scan_one(PyObject *out, PyObject *text, PyObject *normalise_cased, Py_ssize_t end, PyObject *value)
{
    PyObject *length_obj, *items, *pairs, *actual = NULL;
    Py_ssize_t length, n, i, s;
    int rc = -1;

    if (seq_len(value, "automaton value") < 0)
        return -1;
    if (seq_len(value, "automaton value") != 3) {
        PyErr_SetString(PyExc_ValueError, "an automaton value must be (length, items, pairs)");
        return -1;
    }
    length_obj = seq_get(value, 0, "automaton value");
    items = seq_get(value, 1, "automaton value");
    pairs = seq_get(value, 2, "automaton value");
    if (length_obj == NULL || items == NULL || pairs == NULL || as_ssize(length_obj, &length) < 0)
        return -1;
    s = end - length + 1;
    n = seq_len(items, "items");
    if (n < 0)
        goto done;
    for (i = 0; i < n; i++) {
        PyObject *item = seq_get(items, i, "items");
        PyObject *fi, *rank, *idx;
        if (item == NULL)
            goto done;
        if (seq_len(item, "item") != 3) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "an automaton item must be (facet, rank, entry)");
            goto done;
        }
        fi = seq_get(item, 0, "item");
        rank = seq_get(item, 1, "item");
        idx = seq_get(item, 2, "item");
        if (append_occ(out, fi, s, 1 - end, rank, idx) < 0)
            goto done;
    }
    n = seq_len(pairs, "pairs");
    if (n < 0)
        goto done;
    if (n > 0) {
        PyObject *slice = PyUnicode_Substring(text, s, end - 1);
        if (slice == NULL)
            goto done;
        actual = PyObject_CallOneArg(normalise_cased, slice);
        Py_DECREF(slice);
        if (actual == NULL)
            goto done;
        for (i = 0; i < n; i++) {
            PyObject *pair = seq_get(pairs, i, "pairs");
            PyObject *exact;
            int eq;
            if (pair == NULL)
                goto done;
            if (seq_len(pair, "pair") != 4) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "an automaton pair must be (exact, facet, rank, entry)");
                goto done;
            }
            exact = seq_get(pair, 0, "pair");
            eq = PyObject_RichCompareBool(actual, exact, Py_EQ);
            if (eq < 0)
                goto done;
            if (eq && append_occ(out, seq_get(pair, 1, "pair"), s, 1 - end, seq_get(pair, 2, "pair"),
                                 seq_get(pair, 3, "pair")) < 0)
                goto done;
        }
    }
    rc = 0;
done:
    Py_XDECREF(actual);
    return rc;
}

/* -------------------------------------------------------------------------
 * Automaton: an Aho-Corasick automaton over a list of words (the value of a
 * word is its index in the list), reporting what pyahocorasick's
 * Automaton.iter reports: at every position of the text, every word ending
 * there, longest first; positions are code-point indices.
 *
 * Nodes are numbered breadth first, children in code-point order, so the
 * children of node s are the nodes node[s].first .. node[s + 1].first - 1,
 * and edge[c].label is the code point on the edge into c. Breadth-first
 * order is the order of (depth, prefix): with the words sorted, the nodes of
 * every depth come in order while the words are read, so the trie is
 * written directly in its final form.
 *
 * Text walks use a state code per node: bit 0 says whether a word ends at
 * the node or on its fail chain; bit 31 clear: the node has a row of
 * complete transitions on the 37 symbols of normalised ASCII text
 * ([ 0-9a-z]), rows[(code >> 1) + symbol] (the root, nodes with many
 * children and every node that is the fail node of another); bit 31 set:
 * node (code & ~bit 31) >> 1, which looks among its few children, else
 * takes the row of its fail node (fbase). So a symbol costs one or two
 * steps. Other code points follow the children and fail links as in the
 * textbook algorithm.
 *   fail[s]: the node of the longest proper suffix of s that is in the trie;
 *   opool[ostart[s] ..]: the words ending at s and on its fail chain, longest
 *       first, up to a -1 (ostart[s] = -1: none);
 *   rnode[r]: the node of row r.
 *
 * scan_automaton turns hits into occurrences through the value table, read
 * once into C arrays (vals, items) and kept while the same table is passed.
 * ---------------------------------------------------------------------- */

#define AC_NSYM 37
#define AC_NOSYM 255
#define AC_DENSE_MIN 4  /* children from which a node gets a row of its own */
#define AC_LINEAR_MAX 8 /* children up to this many are searched linearly */
#define AC_SPARSE 0x80000000u
#define AC_MAX_NODES 0x3fffffff

static unsigned char ac_tok_char[128]; /* ASCII byte -> its lower case if a letter or digit, else 0 */
static unsigned char ac_sym[128];     /* code point < 128 -> symbol, or AC_NOSYM */
static unsigned char ac_raw_sym[128]; /* raw ASCII byte -> symbol of its normalised form */
static const char ac_sym_char[AC_NSYM + 1] = " 0123456789abcdefghijklmnopqrstuvwxyz";

static void
init_ac_tables(void)
{
    int c, k;
    for (c = 0; c < 128; c++)
        ac_sym[c] = AC_NOSYM;
    for (k = 0; k < AC_NSYM; k++)
        ac_sym[(unsigned char)ac_sym_char[k]] = (unsigned char)k;
    for (c = 0; c < 128; c++) {
        ac_raw_sym[c] = ac_sym[ascii_table[c]];
        ac_tok_char[c] = ac_raw_sym[c] ? (unsigned char)ac_sym_char[ac_raw_sym[c]] : 0;
    }
}

typedef struct {
    int32_t first; /* the first child (node[s + 1].first: the end of the children) */
    int32_t fbase; /* without a row: 37 * the row of its fail node */
} ac_node;

typedef struct {
    uint32_t label; /* the code point on the edge into the node */
    uint32_t code;  /* the node's state code */
} ac_edge;

typedef struct {
    PyObject_HEAD
    Py_ssize_t nwords;
    int32_t nnodes;
    int32_t nrows;
    int32_t dense_min;
    ac_node *node;    /* nnodes + 1 */
    ac_edge *edge;    /* nnodes (edge[0]: the root's code) */
    int32_t *fail;
    int32_t *ostart;
    int32_t *opool;
    uint32_t *rows;   /* nrows * AC_NSYM state codes */
    int32_t *rnode;   /* nrows */
    PyObject *source; /* str: the words joined by "\n" */
    /* the value table as last read (values_obj: strong) */
    PyObject *values_obj;
    Py_ssize_t nvals;
    struct ac_value *vals;
    Py_ssize_t nitems;
    struct ac_item *items;
    Py_ssize_t max_facet;
    int busy; /* scans under way (Python code they call could scan too) */
    /* the token index (see wt_build); wt_ntok == 0: none */
    int tokens;         /* whether to build one */
    int32_t wt_ntok;    /* distinct tokens */
    int32_t wt_maxlen;  /* the longest token */
    int32_t wt_depth;   /* the most tokens in a word */
    int32_t wt_nnodes;  /* nodes of the trie of words over tokens (0: its root) */
    int32_t wt_nkids;   /* its edges below the root */
    uint32_t wt_bits;   /* log2 of the token table's size */
    struct wt_slot *wt_tab;
    unsigned char *wt_blob; /* the tokens' text */
    struct wt_node *wt_node; /* wt_nnodes + 1 */
    struct wt_kid *wt_kid;   /* the children of node u: wt_kid[node[u].first:node[u + 1].first], by token */
} Automaton;

typedef struct wt_slot {
    uint32_t hash;
    int32_t id;      /* -1: free */
    int32_t root;    /* the trie node the token leads to from the root, or -1 */
    uint32_t offlen; /* offset in wt_blob << 8 | length */
} wt_slot;

typedef struct wt_node {
    int32_t value; /* the word ending here, or -1 */
    int32_t first; /* its first child in wt_kid */
} wt_node;

typedef struct wt_kid {
    int32_t tok;
    int32_t child;
} wt_kid;

#define WT_EMPTY UINT64_MAX
#define WT_MAX_DEPTH 64  /* words of more tokens: no token index */
#define WT_MAX_TOKEN 255 /* longer tokens: no token index (a slot holds the length in 8 bits) */

/* A value (length, ((facet, rank, entry), ...), ((exact, facet, rank, entry), ...)). */
typedef struct ac_value {
    Py_ssize_t length;
    Py_ssize_t items_off;
    Py_ssize_t nitems;
    PyObject *pairs; /* strong; NULL when empty */
} ac_value;

typedef struct ac_item {
    Py_ssize_t facet;
    PyObject *rank; /* strong */
    PyObject *idx;  /* strong */
    Py_ssize_t crank, cidx; /* their values (for an OccList) */
} ac_item;

static void
ac_clear_values(Automaton *a)
{
    Py_ssize_t i;
    for (i = 0; i < a->nitems; i++) {
        Py_XDECREF(a->items[i].rank);
        Py_XDECREF(a->items[i].idx);
    }
    for (i = 0; i < a->nvals; i++)
        Py_XDECREF(a->vals[i].pairs);
    PyMem_Free(a->items);
    PyMem_Free(a->vals);
    a->items = NULL;
    a->vals = NULL;
    a->nitems = a->nvals = 0;
    a->max_facet = -1;
    Py_CLEAR(a->values_obj);
}

static PyTypeObject Automaton_Type;

static void
ac_free_arrays(Automaton *a)
{
    PyMem_Free(a->node);
    PyMem_Free(a->edge);
    PyMem_Free(a->fail);
    PyMem_Free(a->ostart);
    PyMem_Free(a->opool);
    PyMem_Free(a->rows);
    PyMem_Free(a->rnode);
    PyMem_Free(a->wt_tab);
    PyMem_Free(a->wt_blob);
    PyMem_Free(a->wt_node);
    PyMem_Free(a->wt_kid);
    a->wt_tab = NULL;
    a->wt_blob = NULL;
    a->wt_node = NULL;
    a->wt_kid = NULL;
    a->wt_ntok = a->wt_nnodes = a->wt_nkids = 0;
    a->node = NULL;
    a->edge = NULL;
    a->fail = a->ostart = a->opool = a->rnode = NULL;
    a->rows = NULL;
    a->nnodes = a->nrows = 0;
    a->nwords = 0;
}

static void
Automaton_dealloc(Automaton *self)
{
    ac_free_arrays(self);
    ac_clear_values(self);
    Py_XDECREF(self->source);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The child of s on code point cp, or -1. */
static inline int32_t
ac_child(const Automaton *a, int32_t s, uint32_t cp)
{
    int32_t lo = a->node[s].first, hi = a->node[s + 1].first;
    const ac_edge *edge = a->edge;
    if (hi - lo <= AC_LINEAR_MAX) {
        for (; lo < hi; lo++)
            if (edge[lo].label == cp)
                return lo;
        return -1;
    }
    {
        int32_t end = hi;
        while (lo < hi) {
            int32_t mid = lo + (hi - lo) / 2;
            if (edge[mid].label < cp)
                lo = mid + 1;
            else
                hi = mid;
        }
        return (lo < end && edge[lo].label == cp) ? lo : -1;
    }
}

/* The transition from node s on code point cp: children and fail links. */
static inline int32_t
ac_step(const Automaton *a, int32_t s, uint32_t cp)
{
    for (;;) {
        int32_t t = ac_child(a, s, cp);
        if (t >= 0)
            return t;
        if (s == 0)
            return 0;
        s = a->fail[s];
    }
}

/* While building: the transition from node s on code point cp (symbol k),
 * by the temporary rows of node ids of the nodes with many children
 * (mark[s] >= 2: row mark[s] - 2; the root has one), else children and
 * fail links. */
static inline int32_t
ac_step_build(const Automaton *a, const int32_t *mark, const int32_t *idrows, int32_t s, uint32_t cp, unsigned k)
{
    for (;;) {
        int32_t t;
        if (k != AC_NOSYM && mark[s] >= 2)
            return idrows[(Py_ssize_t)(mark[s] - 2) * AC_NSYM + k];
        t = ac_child(a, s, cp);
        if (t >= 0)
            return t;
        if (s == 0)
            return 0;
        s = a->fail[s];
    }
}

/* While building: the row of node ids of node u (mark[u] >= 2), whose fail
 * link is set, as are those of shallower nodes: the row of the nearest node
 * with one on its fail chain, overlaid with the children of the nodes before
 * it on the chain (the farthest first), and last with u's own children. */
static void
ac_make_idrow(const Automaton *a, const int32_t *mark, int32_t *idrows, int32_t u, int32_t *chain)
{
    int32_t *r = idrows + (Py_ssize_t)(mark[u] - 2) * AC_NSYM;
    int32_t f, x, v, nchain = 0;
    if (u == 0)
        memset(r, 0, AC_NSYM * sizeof(int32_t));
    else {
        for (f = a->fail[u]; mark[f] < 2; f = a->fail[f])
            chain[nchain++] = f;
        memcpy(r, idrows + (Py_ssize_t)(mark[f] - 2) * AC_NSYM, AC_NSYM * sizeof(int32_t));
    }
    for (; nchain >= 0; nchain--) {
        x = nchain > 0 ? chain[nchain - 1] : u;
        for (v = a->node[x].first; v < a->node[x + 1].first; v++) {
            uint32_t cp = a->edge[v].label;
            if (cp < 128 && ac_sym[cp] != AC_NOSYM)
                r[ac_sym[cp]] = v;
        }
    }
}

/* The node of a state code. */
static inline int32_t
ac_node_of(const Automaton *a, uint32_t code)
{
    if (code & AC_SPARSE)
        return (int32_t)((code & ~AC_SPARSE) >> 1);
    return a->rnode[(code >> 1) / AC_NSYM];
}

/* The transition from state `code` on symbol k of normalised ASCII text. */
static inline uint32_t
ac_step_sym(const ac_node *node, const ac_edge *edge, const uint32_t *rows, uint32_t code, unsigned k)
{
    const ac_node *n;
    int32_t lo, hi;
    uint32_t cp;
    if (!(code & AC_SPARSE))
        return rows[(code >> 1) + k];
    n = &node[(code & ~AC_SPARSE) >> 1];
    lo = n->first;
    hi = n[1].first;
    cp = (unsigned char)ac_sym_char[k];
    for (; lo < hi; lo++)
        if (edge[lo].label == cp)
            return edge[lo].code;
    return rows[n->fbase + k];
}

/* The transition from state `code` on any code point. */
static inline uint32_t
ac_step_cp(const Automaton *a, uint32_t code, uint32_t cp)
{
    unsigned k = cp < 128 ? ac_sym[cp] : AC_NOSYM;
    if (k != AC_NOSYM)
        return ac_step_sym(a->node, a->edge, a->rows, code, k);
    return a->edge[ac_step(a, ac_node_of(a, code), cp)].code;
}

typedef struct {
    int32_t start; /* in the source */
    int32_t len;
    int32_t value;
    int32_t lcp; /* with the word before it in the order of building */
} ac_word;

static int ac_kind; /* for ac_word_cmp (qsort has no context argument); under the GIL */
static const void *ac_data;

static int
ac_word_cmp(const void *pa, const void *pb)
{
    const ac_word *a = pa, *b = pb;
    int32_t i, n = a->len < b->len ? a->len : b->len;
    for (i = 0; i < n; i++) {
        Py_UCS4 x = PyUnicode_READ(ac_kind, ac_data, a->start + i), y = PyUnicode_READ(ac_kind, ac_data, b->start + i);
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->value < b->value ? -1 : a->value > b->value; /* equal words: the last one counts */
}

/* Length of the common prefix of two words; *after = whether b comes after a
 * (or equals it) in code-point order. */
static inline int32_t
ac_lcp(int kind, const void *data, const ac_word *a, const ac_word *b, int *after)
{
    int32_t i = 0, n = a->len < b->len ? a->len : b->len;
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *x = (const Py_UCS1 *)data + a->start, *y = (const Py_UCS1 *)data + b->start;
        while (i < n && x[i] == y[i])
            i++;
        *after = i < n ? x[i] < y[i] : a->len <= b->len;
        return i;
    }
    while (i < n && PyUnicode_READ(kind, data, a->start + i) == PyUnicode_READ(kind, data, b->start + i))
        i++;
    *after = i < n ? PyUnicode_READ(kind, data, a->start + i) < PyUnicode_READ(kind, data, b->start + i)
                   : a->len <= b->len;
    return i;
}

/* Build from `words` (a str of words joined by "\n", or a list or tuple of
 * str without "\n"); sets self->source. Fastest with the words sorted. */
static int
ac_build(Automaton *self, PyObject *words)
{
    PyObject *source = NULL;
    Py_ssize_t total, i, nw = 0;
    int32_t maxlen = 0, tn, d, u, v, *row = NULL, *val;
    Py_ssize_t npool = 0, pool_cap = 0;
    int kind, sorted = 1;
    const void *data;
    ac_word *w = NULL;
    int32_t *count = NULL, *next = NULL, *path = NULL, *chain = NULL, *idrows = NULL, nid = 0;
    int rc = -1;

    if (PyUnicode_Check(words)) {
        Py_INCREF(words);
        source = words;
    }
    else if (PyList_Check(words) || PyTuple_Check(words)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(words);
        PyObject *nl;
        for (i = 0; i < n; i++) {
            PyObject *x = PySequence_Fast_GET_ITEM(words, i);
            if (!PyUnicode_Check(x)) {
                PyErr_SetString(PyExc_TypeError, "the words must be str");
                return -1;
            }
            if (PyUnicode_GET_LENGTH(x) == 0 || PyUnicode_FindChar(x, '\n', 0, PyUnicode_GET_LENGTH(x), 1) != -1) {
                PyErr_SetString(PyExc_ValueError, "a word must not be empty or hold a newline");
                return -1;
            }
        }
        nl = PyUnicode_FromOrdinal('\n');
        if (nl == NULL)
            return -1;
        source = PyUnicode_Join(nl, words);
        Py_DECREF(nl);
        if (source == NULL)
            return -1;
    }
    else {
        PyErr_SetString(PyExc_TypeError, "words must be a str (joined by newlines), list or tuple");
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(source) < 0)
        goto done;
#endif
    total = PyUnicode_GET_LENGTH(source);
    kind = PyUnicode_KIND(source);
    data = PyUnicode_DATA(source);
    if (total >= INT32_MAX - 2) {
        PyErr_SetString(PyExc_OverflowError, "too many characters for an automaton");
        goto done;
    }

    /* the words, and whether they are sorted */
    if (total > 0) {
        Py_ssize_t n = 1, start = 0, end;
        if (kind == PyUnicode_1BYTE_KIND) {
            const char *p = (const char *)data, *q, *stop = p + total;
            while ((q = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
                n++;
                p = q + 1;
            }
        }
        else
            for (i = 0; i < total; i++)
                if (PyUnicode_READ(kind, data, i) == '\n')
                    n++;
        w = PyMem_Malloc((size_t)n * sizeof(ac_word));
        if (w == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        for (nw = 0; nw < n; nw++, start = end + 1) {
            ac_word *x = &w[nw];
            if (kind == PyUnicode_1BYTE_KIND) {
                const char *q = memchr((const char *)data + start, '\n', (size_t)(total - start));
                end = q == NULL ? total : q - (const char *)data;
            }
            else
                for (end = start; end < total && PyUnicode_READ(kind, data, end) != '\n'; end++)
                    ;
            x->start = (int32_t)start;
            x->len = (int32_t)(end - start);
            x->value = (int32_t)nw;
            if (x->len == 0) {
                PyErr_SetString(PyExc_ValueError, "a word must not be empty");
                goto done;
            }
            if (x->len > maxlen)
                maxlen = x->len;
            if (nw == 0)
                x->lcp = 0;
            else {
                int after;
                x->lcp = ac_lcp(kind, data, &w[nw - 1], x, &after);
                sorted &= after;
            }
        }
        if (!sorted) {
            ac_kind = kind;
            ac_data = data;
            qsort(w, (size_t)nw, sizeof(ac_word), ac_word_cmp);
            w[0].lcp = 0;
            for (i = 1; i < nw; i++) {
                int after;
                w[i].lcp = ac_lcp(kind, data, &w[i - 1], &w[i], &after);
            }
        }
    }

    /* nodes per depth: a word adds the nodes deeper than its common prefix
     * with the word before it */
    count = PyMem_Calloc((size_t)maxlen + 2, sizeof(int32_t));
    next = PyMem_Malloc(((size_t)maxlen + 2) * sizeof(int32_t));
    path = PyMem_Malloc(((size_t)maxlen + 2) * sizeof(int32_t));
    if (count == NULL || next == NULL || path == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    count[0] = 1;
    for (i = 0; i < nw; i++)
        for (d = w[i].lcp + 1; d <= w[i].len; d++)
            count[d]++;
    tn = 0;
    for (d = 0; d <= maxlen; d++) {
        next[d] = tn;
        tn += count[d];
    }
    if (tn > AC_MAX_NODES) {
        PyErr_SetString(PyExc_OverflowError, "too many nodes for an automaton");
        goto done;
    }
    self->nnodes = tn;
    self->node = PyMem_Malloc(((size_t)tn + 1) * sizeof(ac_node));
    self->edge = PyMem_Malloc((size_t)tn * sizeof(ac_edge));
    self->fail = PyMem_Malloc((size_t)tn * sizeof(int32_t));
    self->ostart = PyMem_Malloc((size_t)tn * sizeof(int32_t));
    row = PyMem_Malloc((size_t)tn * sizeof(int32_t));
    if (self->node == NULL || self->edge == NULL || self->fail == NULL || self->ostart == NULL ||
        row == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* the nodes, numbered breadth first; first = -1 until a node has a child */
    for (u = 0; u <= tn; u++)
        self->node[u].first = -1;
    /* the word ending at each node (-1: none), kept in ostart until the
     * lists of words replace it, breadth first */
    val = self->ostart;
    memset(val, 0xff, (size_t)tn * sizeof(int32_t));
    self->edge[0].label = 0;
    path[0] = next[0]++;
    {
        ac_node *node = self->node;
        ac_edge *edge = self->edge;
        for (i = 0; i < nw; i++) {
            const ac_word *x = &w[i];
            for (d = x->lcp + 1; d <= x->len; d++) {
                int32_t c = next[d]++, p = path[d - 1];
                edge[c].label = kind == PyUnicode_1BYTE_KIND ? ((const Py_UCS1 *)data)[x->start + d - 1]
                                                             : (uint32_t)PyUnicode_READ(kind, data, x->start + d - 1);
                /* below the shared prefix every parent is new */
                if (d > x->lcp + 1 || node[p].first < 0)
                    node[p].first = c;
                path[d] = c;
            }
            val[path[x->len]] = x->value;
        }
    }
    /* a node without children: its (empty) range starts where the next
     * one's does; the root and nodes with many children get rows (row[u]:
     * 0 none, 1 a row, 2 + i a row and temporary row i of node ids) */
    self->node[tn].first = tn;
    for (u = tn - 1; u >= 0; u--) {
        if (self->node[u].first < 0)
            self->node[u].first = self->node[u + 1].first;
        row[u] = u == 0 || self->node[u + 1].first - self->node[u].first >= self->dense_min;
        nid += row[u];
    }
    idrows = PyMem_Malloc((size_t)nid * AC_NSYM * sizeof(int32_t));
    chain = PyMem_Malloc(((size_t)maxlen + 2) * sizeof(int32_t));
    if (idrows == NULL || chain == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    nid = 0;
    for (u = 0; u < tn; u++)
        if (row[u])
            row[u] = 2 + nid++;
    ac_make_idrow(self, row, idrows, 0, chain);
    /* fail links and the words ending at every node, longest first (a node
     * where none of its own ends shares its fail node's list), breadth
     * first; every fail node gets a row */
    self->fail[0] = 0;
    self->ostart[0] = -1; /* no word is empty */
    for (v = self->node[0].first; v < self->node[1].first; v++) { /* fail to the root */
        int32_t word = val[v];
        self->fail[v] = 0;
        if (word >= 0) {
            if (grow((void **)&self->opool, &pool_cap, npool + 2, sizeof(int32_t)) < 0)
                goto done;
            self->ostart[v] = (int32_t)npool;
            self->opool[npool++] = word;
            self->opool[npool++] = -1;
        }
    }
    for (u = 1; u < tn; u++) {
        int32_t *fail = self->fail, *ostart = self->ostart, fu = fail[u], end = self->node[u + 1].first;
        const ac_edge *edge = self->edge;
        if (row[u] >= 2)
            ac_make_idrow(self, row, idrows, u, chain);
        for (v = self->node[u].first; v < end; v++) {
            uint32_t cp = edge[v].label;
            int32_t f = ac_step_build(self, row, idrows, fu, cp, cp < 128 ? ac_sym[cp] : AC_NOSYM), o, m = 0;
            int32_t word = val[v]; /* val is ostart: read before it is replaced */
            fail[v] = f;
            if (row[f] == 0)
                row[f] = 1;
            if (word < 0) {
                ostart[v] = ostart[f];
                continue;
            }
            if (self->ostart[f] >= 0)
                for (o = self->ostart[f]; self->opool[o] >= 0; o++)
                    m++;
            if (npool + m + 2 >= INT32_MAX) {
                PyErr_SetString(PyExc_OverflowError, "too many words for an automaton");
                goto done;
            }
            if (grow((void **)&self->opool, &pool_cap, npool + m + 2, sizeof(int32_t)) < 0)
                goto done;
            self->ostart[v] = (int32_t)npool;
            self->opool[npool++] = word;
            if (m > 0)
                for (o = self->ostart[f]; self->opool[o] >= 0; o++)
                    self->opool[npool++] = self->opool[o];
            self->opool[npool++] = -1;
        }
    }
    /* rows numbered breadth first (the rows of shallow nodes, the busiest,
     * together); the state codes */
    self->nrows = 0;
    for (u = 0; u < tn; u++) {
        uint32_t out = self->ostart[u] >= 0;
        row[u] = row[u] ? self->nrows++ : -1;
        self->edge[u].code = row[u] >= 0 ? ((uint32_t)row[u] * AC_NSYM) << 1 | out : AC_SPARSE | (uint32_t)u << 1 | out;
    }
    if ((uint64_t)self->nrows * AC_NSYM * 2 >= (uint64_t)AC_SPARSE) {
        PyErr_SetString(PyExc_OverflowError, "too many nodes for an automaton");
        goto done;
    }
    self->rows = PyMem_Malloc((size_t)self->nrows * AC_NSYM * sizeof(uint32_t));
    self->rnode = PyMem_Malloc((size_t)self->nrows * sizeof(int32_t));
    if (self->rows == NULL || self->rnode == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* the rows, breadth first: a node's row is its fail node's (made
     * already) with its own children on top; a node without a row falls back
     * on its fail node's */
    for (u = 0; u < tn; u++) {
        if (row[u] >= 0) {
            uint32_t *r = self->rows + (Py_ssize_t)row[u] * AC_NSYM;
            int k;
            self->rnode[row[u]] = u;
            if (u == 0)
                for (k = 0; k < AC_NSYM; k++)
                    r[k] = self->edge[0].code;
            else
                memcpy(r, self->rows + (Py_ssize_t)row[self->fail[u]] * AC_NSYM, AC_NSYM * sizeof(uint32_t));
            for (v = self->node[u].first; v < self->node[u + 1].first; v++) {
                uint32_t cp = self->edge[v].label;
                if (cp < 128 && ac_sym[cp] != AC_NOSYM)
                    r[ac_sym[cp]] = self->edge[v].code;
            }
            self->node[u].fbase = -1;
        }
        else
            self->node[u].fbase = row[self->fail[u]] * AC_NSYM;
    }
    self->node[tn].fbase = -1;
    self->nwords = nw;
    self->source = source;
    source = NULL;
    rc = 0;
done:
    if (rc < 0)
        ac_free_arrays(self);
    Py_XDECREF(source);
    PyMem_Free(w);
    PyMem_Free(count);
    PyMem_Free(next);
    PyMem_Free(path);
    PyMem_Free(row);
    PyMem_Free(chain);
    PyMem_Free(idrows);
    return rc;
}

/* -- the token index ------------------------------------------------------
 * When every word is " t1 t2 ... tk " (tokens of ASCII lower-case letters
 * and digits, one space between them), a word occurs in the padded,
 * normalised form of an ASCII text exactly where consecutive tokens of the
 * text, each one character after the one before, spell it. The scan of an
 * ASCII text then looks up each of its tokens once in a hash table and
 * follows a trie of the words over tokens, instead of making one transition
 * per character through the automaton's large tables; it reports the same
 * occurrences in the same order (by end, longest first). The tables are
 * small (about 300 KB for the default rules), so that they stay in the
 * processor's cache while the other stages run: a slot of the token table
 * holds what a token needs (its text's place, its id, the trie node it
 * starts), and a node's children are next to each other, by token id. */

static int ac_emit_value(const Automaton *a, int32_t value, Py_ssize_t end, PyObject *out, PyObject *text,
                         PyObject *normalise_cased);

static inline uint32_t
wt_hash_step(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u; /* FNV-1a */
}

#define WT_HASH_START 2166136261u

static inline uint32_t
wt_slot_of(uint32_t h, uint32_t bits)
{
    return (uint32_t)(h * 0x9E3779B1u) >> (32 - bits);
}

static inline uint32_t
wt_edge_slot(uint64_t key, uint32_t bits)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

static uint32_t
wt_bits_for(Py_ssize_t n)
{
    uint32_t bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * n)
        bits++;
    return bits;
}

/* The slot of token s[0:n] (hash h), or NULL; `fold`: s is ASCII text to
 * read through ac_tok_char. */
static inline const wt_slot *
wt_find(const wt_slot *tab, uint32_t bits, const unsigned char *blob, const unsigned char *s, int32_t n, uint32_t h,
        int fold)
{
    uint32_t mask = (1u << bits) - 1, i = wt_slot_of(h, bits);
    for (;; i = (i + 1) & mask) {
        const wt_slot *sl = &tab[i];
        const unsigned char *t;
        int32_t k = 0;
        if (sl->id < 0)
            return NULL;
        if (sl->hash != h || (int32_t)(sl->offlen & 0xff) != n)
            continue;
        t = blob + (sl->offlen >> 8);
        if (fold)
            while (k < n && t[k] == ac_tok_char[s[k]])
                k++;
        else
            while (k < n && t[k] == s[k])
                k++;
        if (k == n)
            return sl;
    }
}

/* The child of trie node `node` (not the root) on token `tok`, or -1. */
static inline int32_t
wt_child(const Automaton *a, int32_t node, int32_t tok)
{
    int32_t lo = a->wt_node[node].first, end = a->wt_node[node + 1].first, hi = end;
    const wt_kid *kid = a->wt_kid;
    while (hi - lo > 8) { /* the first child whose token is not below tok is in [lo, end) */
        int32_t mid = lo + (hi - lo) / 2;
        if (kid[mid].tok < tok)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < end && kid[lo].tok <= tok; lo++)
        if (kid[lo].tok == tok)
            return kid[lo].child;
    return -1;
}

static int
wt_kid_cmp(const void *pa, const void *pb)
{
    const wt_kid *a = pa, *b = pb;
    return a->tok < b->tok ? -1 : a->tok > b->tok;
}

/* Build the token index from self->source when every word has the form
 * above; leaves none (wt_ntok 0) when one does not, or -1 on an error. */
static int
wt_build(Automaton *self)
{
    PyObject *source = self->source;
    const unsigned char *data, *p, *stop;
    Py_ssize_t total, ntotal = 0, i;
    int32_t maxlen = 0, depth = 0, wi, ntok = 0, nnodes = 1, nedges = 0, id;
    uint32_t tbits, ebits, tmask, emask, at;
    /* while building: the tokens in a table sized for every token of every
     * word, the edges in a hash table, the value of every node */
    wt_slot *tab = NULL;
    uint64_t *ekey = NULL;
    int32_t *echild = NULL, *value = NULL, *nkids = NULL;
    int rc = -1;

    if (source == NULL || !PyUnicode_IS_ASCII(source) || PyUnicode_GET_LENGTH(source) == 0)
        return 0;
    data = PyUnicode_1BYTE_DATA(source);
    total = PyUnicode_GET_LENGTH(source);
    stop = data + total;
    /* check the form; count the tokens */
    for (p = data; p < stop;) {
        const unsigned char *q = memchr(p, '\n', (size_t)(stop - p)), *x;
        int32_t n = 0;
        if (q == NULL)
            q = stop;
        if (q - p < 3 || p[0] != ' ' || q[-1] != ' ')
            return 0;
        for (x = p + 1; x < q;) {
            const unsigned char *t = x;
            while (t < q - 1 && *t != ' ') {
                if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9')))
                    return 0;
                t++;
            }
            if (t == x || *t != ' ') /* an empty token (two spaces) */
                return 0;
            if (t - x > maxlen)
                maxlen = (int32_t)(t - x);
            n++;
            x = t + 1;
        }
        if (n > depth)
            depth = n;
        ntotal += n;
        p = q + 1;
    }
    if (depth > WT_MAX_DEPTH || maxlen > WT_MAX_TOKEN || total >= (1 << 24) || ntotal >= INT32_MAX / 4)
        return 0;
    tbits = wt_bits_for(ntotal);
    ebits = wt_bits_for(ntotal);
    tmask = (1u << tbits) - 1;
    emask = (1u << ebits) - 1;
    tab = PyMem_Malloc(((size_t)tmask + 1) * sizeof(wt_slot));
    ekey = PyMem_Malloc(((size_t)emask + 1) * sizeof(uint64_t));
    echild = PyMem_Malloc(((size_t)emask + 1) * sizeof(int32_t));
    value = PyMem_Malloc(((size_t)ntotal + 1) * sizeof(int32_t));
    nkids = PyMem_Calloc((size_t)ntotal + 2, sizeof(int32_t));
    self->wt_blob = PyMem_Malloc((size_t)total + 1);
    if (tab == NULL || ekey == NULL || echild == NULL || value == NULL || nkids == NULL || self->wt_blob == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (i = 0; i <= (Py_ssize_t)tmask; i++)
        tab[i].id = -1;
    for (i = 0; i <= (Py_ssize_t)emask; i++)
        ekey[i] = WT_EMPTY;
    value[0] = -1;
    /* the tokens and the trie; a repeated word: the last one's index */
    {
        uint32_t blob_len = 0;
        for (p = data, wi = 0; p < stop; wi++) {
            const unsigned char *q = memchr(p, '\n', (size_t)(stop - p)), *x;
            int32_t node = 0;
            if (q == NULL)
                q = stop;
            for (x = p + 1; x < q;) {
                const unsigned char *t = memchr(x, ' ', (size_t)(q - x));
                int32_t n = (int32_t)(t - x), child = -1;
                uint32_t h = WT_HASH_START;
                wt_slot *sl;
                for (i = 0; i < n; i++)
                    h = wt_hash_step(h, x[i]);
                sl = (wt_slot *)wt_find(tab, tbits, self->wt_blob, x, n, h, 0);
                if (sl == NULL) {
                    for (at = wt_slot_of(h, tbits); tab[at].id >= 0; at = (at + 1) & tmask)
                        ;
                    sl = &tab[at];
                    memcpy(self->wt_blob + blob_len, x, (size_t)n);
                    sl->hash = h;
                    sl->id = ntok++;
                    sl->root = -1;
                    sl->offlen = blob_len << 8 | (uint32_t)n;
                    blob_len += (uint32_t)n;
                }
                id = sl->id;
                if (node == 0)
                    child = sl->root;
                else {
                    uint64_t key = (uint64_t)(uint32_t)node << 32 | (uint32_t)id;
                    for (at = wt_edge_slot(key, ebits); ekey[at] != WT_EMPTY; at = (at + 1) & emask)
                        if (ekey[at] == key) {
                            child = echild[at];
                            break;
                        }
                    if (child < 0) {
                        child = nnodes++;
                        value[child] = -1;
                        ekey[at] = key;
                        echild[at] = child;
                        nkids[node]++;
                        nedges++;
                    }
                }
                if (child < 0) {
                    child = nnodes++;
                    value[child] = -1;
                    sl->root = child;
                }
                node = child;
                x = t + 1;
            }
            value[node] = wi;
            p = q + 1;
        }
    }
    /* the final tables: the token table sized for the tokens there are,
     * the nodes with their children together */
    self->wt_bits = wt_bits_for(ntok);
    self->wt_tab = PyMem_Malloc(((size_t)1 << self->wt_bits) * sizeof(wt_slot));
    self->wt_node = PyMem_Malloc(((size_t)nnodes + 1) * sizeof(wt_node));
    self->wt_kid = PyMem_Malloc(((size_t)nedges + 1) * sizeof(wt_kid));
    if (self->wt_tab == NULL || self->wt_node == NULL || self->wt_kid == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    {
        uint32_t size = 1u << self->wt_bits, mask = size - 1;
        int32_t u, first = 0;
        for (at = 0; at < size; at++)
            self->wt_tab[at].id = -1;
        for (i = 0; i <= (Py_ssize_t)tmask; i++) {
            uint32_t j;
            if (tab[i].id < 0)
                continue;
            for (j = wt_slot_of(tab[i].hash, self->wt_bits); self->wt_tab[j].id >= 0; j = (j + 1) & mask)
                ;
            self->wt_tab[j] = tab[i];
        }
        for (u = 0; u < nnodes; u++) {
            self->wt_node[u].value = value[u];
            self->wt_node[u].first = first;
            first += nkids[u];
            nkids[u] = self->wt_node[u].first; /* where its next child goes */
        }
        self->wt_node[nnodes].value = -1;
        self->wt_node[nnodes].first = first;
        for (i = 0; i <= (Py_ssize_t)emask; i++) {
            int32_t parent;
            if (ekey[i] == WT_EMPTY)
                continue;
            parent = (int32_t)(ekey[i] >> 32);
            self->wt_kid[nkids[parent]].tok = (int32_t)(ekey[i] & 0xffffffffu);
            self->wt_kid[nkids[parent]].child = echild[i];
            nkids[parent]++;
        }
        for (u = 0; u < nnodes; u++)
            if (self->wt_node[u + 1].first - self->wt_node[u].first > 1)
                qsort(self->wt_kid + self->wt_node[u].first,
                      (size_t)(self->wt_node[u + 1].first - self->wt_node[u].first), sizeof(wt_kid), wt_kid_cmp);
    }
    self->wt_ntok = ntok;
    self->wt_nnodes = nnodes;
    self->wt_nkids = nedges;
    self->wt_maxlen = maxlen;
    self->wt_depth = depth;
    rc = 0;
done:
    PyMem_Free(tab);
    PyMem_Free(ekey);
    PyMem_Free(echild);
    PyMem_Free(value);
    PyMem_Free(nkids);
    if (rc < 0) {
        PyMem_Free(self->wt_tab);
        PyMem_Free(self->wt_node);
        PyMem_Free(self->wt_kid);
        PyMem_Free(self->wt_blob);
        self->wt_tab = NULL;
        self->wt_node = NULL;
        self->wt_kid = NULL;
        self->wt_blob = NULL;
        self->wt_ntok = 0;
    }
    return rc;
}

/* ac_scan_walk for an ASCII text with the token index. */
static int
ac_scan_tokens(const Automaton *a, PyObject *out, PyObject *text, PyObject *normalise_cased)
{
    const Py_UCS1 *src = PyUnicode_1BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, s, prev_end = -2;
    int32_t act_node[WT_MAX_DEPTH + 1]; /* the trie nodes of the words under way */
    const int32_t maxlen = a->wt_maxlen;
    const wt_slot *tab = a->wt_tab;
    const wt_node *node = a->wt_node;
    const unsigned char *blob = a->wt_blob;
    const uint32_t bits = a->wt_bits;
    int nact = 0;
    while (i < n) {
        int32_t id, child;
        uint32_t h = WT_HASH_START;
        unsigned c;
        int j, kept;
        const wt_slot *sl;
        while (i < n && ac_tok_char[src[i]] == 0)
            i++;
        if (i >= n)
            break;
        s = i;
        while (i < n && (c = ac_tok_char[src[i]]) != 0) {
            h = wt_hash_step(h, (unsigned char)c);
            i++;
        }
        if (s != prev_end + 1)
            nact = 0; /* a word goes on only across one character */
        prev_end = i;
        sl = i - s <= maxlen ? wt_find(tab, bits, blob, src + s, (int32_t)(i - s), h, 1) : NULL;
        if (sl == NULL) {
            nact = 0;
            continue;
        }
        id = sl->id;
        /* the walks under way go on (the earliest first: the longest word
         * first), then one starts here */
        kept = 0;
        for (j = 0; j <= nact; j++) {
            child = j < nact ? wt_child(a, act_node[j], id) : sl->root;
            if (child < 0)
                continue;
            act_node[kept++] = child;
            if (node[child].value >= 0 && ac_emit_value(a, node[child].value, i + 1, out, text, normalise_cased) < 0)
                return -1;
        }
        nact = kept;
    }
    return 0;
}

/* Read the value table into a->vals and a->items (when it is not the one
 * read last). */
static int
ac_read_values(Automaton *a, PyObject *values)
{
    Py_ssize_t n, i, j, nitems = 0, cap = 0;
    if (a->values_obj == values)
        return 0;
    if (a->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the automaton is scanning with another value table");
        return -1;
    }
    ac_clear_values(a);
    n = seq_len(values, "values");
    if (n < 0)
        return -1;
    a->vals = PyMem_Calloc(n ? (size_t)n : 1, sizeof(ac_value));
    if (a->vals == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    a->nvals = n;
    for (i = 0; i < n; i++) {
        PyObject *value = seq_get(values, i, "values"), *length, *items, *pairs;
        Py_ssize_t m, np;
        ac_value *v = &a->vals[i];
        if (value == NULL)
            goto error;
        if (seq_len(value, "automaton value") != 3) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "an automaton value must be (length, items, pairs)");
            goto error;
        }
        length = seq_get(value, 0, "automaton value");
        items = seq_get(value, 1, "automaton value");
        pairs = seq_get(value, 2, "automaton value");
        if (as_ssize(length, &v->length) < 0)
            goto error;
        m = seq_len(items, "items");
        np = seq_len(pairs, "pairs");
        if (m < 0 || np < 0)
            goto error;
        if (np > 0) {
            Py_INCREF(pairs);
            v->pairs = pairs;
        }
        if (grow((void **)&a->items, &cap, nitems + m, sizeof(ac_item)) < 0)
            goto error;
        v->items_off = nitems;
        for (j = 0; j < m; j++) {
            PyObject *item = seq_get(items, j, "items");
            ac_item *it = &a->items[nitems];
            if (item == NULL)
                goto error;
            if (seq_len(item, "item") != 3) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "an automaton item must be (facet, rank, entry)");
                goto error;
            }
            if (as_ssize(seq_get(item, 0, "item"), &it->facet) < 0)
                goto error;
            if (it->facet < 0) {
                PyErr_SetString(PyExc_IndexError, "out index out of range");
                goto error;
            }
            it->rank = seq_get(item, 1, "item");
            it->idx = seq_get(item, 2, "item");
            if (it->rank == NULL || it->idx == NULL)
                goto error;
            /* their values, for an OccList (PY_SSIZE_T_MIN: not an int) */
            if (as_ssize(it->rank, &it->crank) < 0 || as_ssize(it->idx, &it->cidx) < 0) {
                PyErr_Clear();
                it->crank = it->cidx = PY_SSIZE_T_MIN;
            }
            Py_INCREF(it->rank);
            Py_INCREF(it->idx);
            nitems++;
            a->nitems = nitems;
            v->nitems++;
            if (it->facet > a->max_facet)
                a->max_facet = it->facet;
        }
    }
    Py_INCREF(values);
    a->values_obj = values;
    return 0;
error:
    ac_clear_values(a);
    return -1;
}

/* The occurrences of word `value` with the end at `end` (in the padded text)
 * onto out[facet] (a list of lists, at least a->max_facet + 1 long). */
static int
ac_emit_value(const Automaton *a, int32_t value, Py_ssize_t end, PyObject *out, PyObject *text,
              PyObject *normalise_cased)
{
    const ac_value *v;
    Py_ssize_t j, s;
    if (value >= a->nvals) {
        PyErr_SetString(PyExc_IndexError, "values index out of range");
        return -1;
    }
    v = &a->vals[value];
    s = end - v->length + 1;
    for (j = 0; j < v->nitems; j++) {
        const ac_item *it = &a->items[v->items_off + j];
        PyObject *dest = PyList_GET_ITEM(out, it->facet);
        int rc = OccList_Check(dest) && it->crank != PY_SSIZE_T_MIN
                     ? occlist_push((OccList *)dest, s, 1 - end, it->crank, it->cidx) /* no objects at all */
                     : occ_append(dest, s, 1 - end, it->rank, it->idx);
        if (rc < 0)
            return -1;
    }
    if (v->pairs != NULL) {
        /* as scan_one: the exact case of the text against each cased form
         * (normalise_cased(text[s:end - 1]); for an ASCII text, compared
         * here character by character: letters and digits as they are,
         * anything else a space, as normalise_cased makes it) */
        Py_ssize_t np = seq_len(v->pairs, "pairs"), k, len = end - 1 - s;
        PyObject *actual = NULL;
        int ascii = PyUnicode_IS_ASCII(text);
        for (k = 0; k < np; k++) {
            PyObject *pair = seq_get(v->pairs, k, "pairs"), *exact;
            int eq;
            if (pair == NULL || seq_len(pair, "pair") != 4) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "an automaton pair must be (exact, facet, rank, entry)");
                Py_XDECREF(actual);
                return -1;
            }
            exact = seq_get(pair, 0, "pair");
            if (ascii && PyUnicode_CheckExact(exact)) {
                const Py_UCS1 *t = PyUnicode_1BYTE_DATA(text) + s, *x;
                Py_ssize_t q = 0;
                eq = PyUnicode_IS_ASCII(exact) && PyUnicode_GET_LENGTH(exact) == len;
                if (eq) {
                    x = PyUnicode_1BYTE_DATA(exact);
                    while (q < len && (ac_raw_sym[t[q]] ? t[q] : ' ') == x[q])
                        q++;
                    eq = q == len;
                }
            }
            else {
                if (actual == NULL) {
                    PyObject *slice = PyUnicode_Substring(text, s, end - 1);
                    if (slice == NULL)
                        return -1;
                    actual = PyObject_CallOneArg(normalise_cased, slice);
                    Py_DECREF(slice);
                    if (actual == NULL)
                        return -1;
                }
                eq = PyObject_RichCompareBool(actual, exact, Py_EQ);
            }
            if (eq < 0 || (eq && append_occ(out, seq_get(pair, 1, "pair"), s, 1 - end, seq_get(pair, 2, "pair"),
                                            seq_get(pair, 3, "pair")) < 0)) {
                Py_XDECREF(actual);
                return -1;
            }
        }
        Py_XDECREF(actual);
    }
    return 0;
}

/* Every word ending at the node of state `code`, longest first. */
static int
ac_emit(const Automaton *a, uint32_t code, Py_ssize_t end, PyObject *out, PyObject *text,
        PyObject *normalise_cased)
{
    const int32_t *o;
    for (o = a->opool + a->ostart[ac_node_of(a, code)]; *o >= 0; o++)
        if (ac_emit_value(a, *o, end, out, text, normalise_cased) < 0)
            return -1;
    return 0;
}

/* The walk over a haystack of any kind; `on_hit` for every node where a word
 * ends (ASCII haystacks take ac_scan's faster loop). */
#define AC_WALK(TYPE, DATA, N, ON_HIT)                       \
    do {                                                    \
        const TYPE *hay_ = (const TYPE *)(DATA);            \
        for (i = 0; i < (N); i++) {                         \
            code = ac_step_cp(a, code, (uint32_t)hay_[i]);  \
            if (code & 1) {                                 \
                ON_HIT;                                     \
            }                                               \
        }                                                   \
    } while (0)

/* scan_automaton with our own automaton: " " + normalise(text) + " " is
 * walked without building it when text is ASCII. */
static int
ac_scan_walk(const Automaton *a, PyObject *out, PyObject *text, PyObject *normalise, PyObject *normalise_cased);

static int
ac_scan(Automaton *a, PyObject *values, PyObject *out, PyObject *text, PyObject *normalise, PyObject *normalise_cased)
{
    Py_ssize_t i;
    int rc;
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return -1;
#endif
    if (a->nnodes == 0) {
        PyErr_SetString(PyExc_RuntimeError, "the automaton is not built");
        return -1;
    }
    if (ac_read_values(a, values) < 0)
        return -1;
    if (!PyList_CheckExact(out) || PyList_GET_SIZE(out) <= a->max_facet) {
        PyErr_SetString(PyExc_TypeError, "out must be a list with a list per facet");
        return -1;
    }
    for (i = 0; i <= a->max_facet; i++)
        if (!occ_sink_ok(PyList_GET_ITEM(out, i))) {
            PyErr_SetString(PyExc_TypeError, "out must be a list with a list (or an OccList) per facet");
            return -1;
        }
    a->busy++;
    rc = ac_scan_walk(a, out, text, normalise, normalise_cased);
    a->busy--;
    return rc;
}

static int
ac_scan_walk(const Automaton *a, PyObject *out, PyObject *text, PyObject *normalise, PyObject *normalise_cased)
{
    Py_ssize_t n, i;
    uint32_t code;
    n = PyUnicode_GET_LENGTH(text);
    code = a->edge[0].code;
    if (PyUnicode_IS_ASCII(text) && a->wt_ntok > 0)
        return ac_scan_tokens(a, out, text, normalise_cased);
    if (PyUnicode_IS_ASCII(text)) {
        const Py_UCS1 *src = PyUnicode_1BYTE_DATA(text);
        const ac_node *node = a->node;
        const ac_edge *edge = a->edge;
        const uint32_t *rows = a->rows;
        code = ac_step_sym(node, edge, rows, code, 0);
        if ((code & 1) && ac_emit(a, code, 0, out, text, normalise_cased) < 0)
            return -1;
        for (i = 0; i < n; i++) {
            code = ac_step_sym(node, edge, rows, code, ac_raw_sym[src[i]]);
            if ((code & 1) && ac_emit(a, code, i + 1, out, text, normalise_cased) < 0)
                return -1;
        }
        code = ac_step_sym(node, edge, rows, code, 0);
        if ((code & 1) && ac_emit(a, code, n + 1, out, text, normalise_cased) < 0)
            return -1;
        return 0;
    }
    else {
        PyObject *hay = padded_haystack(text, normalise);
        int failed = 0;
        if (hay == NULL)
            return -1;
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(hay) < 0) {
            Py_DECREF(hay);
            return -1;
        }
#endif
        n = PyUnicode_GET_LENGTH(hay);
        switch (PyUnicode_KIND(hay)) {
        case PyUnicode_1BYTE_KIND:
            AC_WALK(Py_UCS1, PyUnicode_DATA(hay), n, if (ac_emit(a, code, i, out, text, normalise_cased) < 0) {
                failed = 1;
                break;
            });
            break;
        case PyUnicode_2BYTE_KIND:
            AC_WALK(Py_UCS2, PyUnicode_DATA(hay), n, if (ac_emit(a, code, i, out, text, normalise_cased) < 0) {
                failed = 1;
                break;
            });
            break;
        default:
            AC_WALK(Py_UCS4, PyUnicode_DATA(hay), n, if (ac_emit(a, code, i, out, text, normalise_cased) < 0) {
                failed = 1;
                break;
            });
            break;
        }
        Py_DECREF(hay);
        return failed ? -1 : 0;
    }
}

static PyObject *
Automaton_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *words;
    Automaton *self;
    int dense_min = AC_DENSE_MIN, tokens = 1;
    static char *kwlist[] = {"words", "dense_min", "tokens", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|ip:Automaton", kwlist, &words, &dense_min, &tokens))
        return NULL;
    if (dense_min < 1) {
        PyErr_SetString(PyExc_ValueError, "dense_min must be at least 1");
        return NULL;
    }
    self = (Automaton *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->dense_min = dense_min;
    self->tokens = tokens;
    if (ac_build(self, words) < 0 || (tokens && wt_build(self) < 0)) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* (a, b) onto a list */
static int
append_pair(PyObject *result, Py_ssize_t a, Py_ssize_t b)
{
    PyObject *t = Py_BuildValue("(nn)", a, b);
    int rc;
    if (t == NULL)
        return -1;
    rc = PyList_Append(result, t);
    Py_DECREF(t);
    return rc;
}

/* iter(haystack) -> [(end, value), ...], as pyahocorasick's Automaton.iter gives them. */
static PyObject *
Automaton_iter(Automaton *self, PyObject *hay)
{
    const Automaton *a = self;
    PyObject *result;
    Py_ssize_t n, i;
    int32_t o;
    uint32_t code;
    int failed = 0;
    if (!PyUnicode_Check(hay)) {
        PyErr_SetString(PyExc_TypeError, "the haystack must be a str");
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(hay) < 0)
        return NULL;
#endif
    result = PyList_New(0);
    if (result == NULL || a->nnodes == 0)
        return result;
    n = PyUnicode_GET_LENGTH(hay);
    code = a->edge[0].code;
#define AC_ITER_HIT                                                            \
    for (o = a->ostart[ac_node_of(a, code)]; a->opool[o] >= 0 && !failed; o++) \
        failed = append_pair(result, i, a->opool[o]) < 0;                   \
    if (failed)                                                         \
        break
    switch (PyUnicode_KIND(hay)) {
    case PyUnicode_1BYTE_KIND:
        AC_WALK(Py_UCS1, PyUnicode_DATA(hay), n, AC_ITER_HIT);
        break;
    case PyUnicode_2BYTE_KIND:
        AC_WALK(Py_UCS2, PyUnicode_DATA(hay), n, AC_ITER_HIT);
        break;
    default:
        AC_WALK(Py_UCS4, PyUnicode_DATA(hay), n, AC_ITER_HIT);
        break;
    }
#undef AC_ITER_HIT
    if (failed) {
        Py_DECREF(result);
        return NULL;
    }
    return result;
}

static PyObject *
Automaton_reduce(Automaton *self, PyObject *Py_UNUSED(ignored))
{
    if (self->dense_min != AC_DENSE_MIN || !self->tokens)
        return Py_BuildValue("(O(Oii))", (PyObject *)Py_TYPE(self), self->source ? self->source : Py_None,
                             self->dense_min, self->tokens);
    return Py_BuildValue("(O(O))", (PyObject *)Py_TYPE(self), self->source ? self->source : Py_None);
}

static PyObject *
Automaton_stats(Automaton *self, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t nbytes = (Py_ssize_t)sizeof(Automaton) + (Py_ssize_t)(self->nnodes + 1) * (Py_ssize_t)sizeof(ac_node) +
                        (Py_ssize_t)self->nnodes * ((Py_ssize_t)sizeof(ac_edge) + 2 * 4) +
                        (Py_ssize_t)self->nrows * (AC_NSYM + 1) * 4;
    if (self->wt_ntok > 0)
        nbytes += ((Py_ssize_t)1 << self->wt_bits) * (Py_ssize_t)sizeof(wt_slot) +
                  ((Py_ssize_t)self->wt_nnodes + 1) * (Py_ssize_t)sizeof(wt_node) +
                  (Py_ssize_t)self->wt_nkids * (Py_ssize_t)sizeof(wt_kid) + PyUnicode_GET_LENGTH(self->source);
    return Py_BuildValue("{s:n,s:i,s:i,s:i,s:i,s:n}", "words", self->nwords, "nodes", (int)self->nnodes, "rows",
                         (int)self->nrows, "tokens", (int)self->wt_ntok, "token_nodes", (int)self->wt_nnodes,
                         "bytes", nbytes);
}

static Py_ssize_t
Automaton_len(Automaton *self)
{
    return self->nwords;
}

static PySequenceMethods Automaton_as_sequence = {
    .sq_length = (lenfunc)Automaton_len,
};

static PyMethodDef Automaton_methods[] = {
    {"iter", (PyCFunction)Automaton_iter, METH_O,
     "iter(haystack) -> [(end, value), ...]: every word ending at every position (code-point index), longest first"},
    {"__reduce__", (PyCFunction)Automaton_reduce, METH_NOARGS, "Pickled as its words: rebuilt on loading."},
    {"stats", (PyCFunction)Automaton_stats, METH_NOARGS, "stats() -> {words, nodes, rows, bytes of memory}"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Automaton_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "papertriage._fastcore.Automaton",
    .tp_basicsize = sizeof(Automaton),
    .tp_dealloc = (destructor)Automaton_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Automaton(words, dense_min=4, tokens=True)\n\n"
              "An Aho-Corasick automaton over words (a list or tuple of str, or one str of words joined by\n"
              "newlines; fastest sorted); the value of a word is its index. Reports what pyahocorasick's\n"
              "Automaton.iter does. Nodes with dense_min children or more get a row of complete transitions.\n"
              "With tokens, when every word is ' t1 t2 ... ' (ASCII lower-case letters and digits), scan_automaton\n"
              "reads an ASCII text by its tokens (see stats()['tokens']); iter always walks the automaton.",
    .tp_as_sequence = &Automaton_as_sequence,
    .tp_methods = Automaton_methods,
    .tp_new = Automaton_new,
};

static PyObject *
scan_automaton(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *automaton, *values, *out, *text, *normalise, *normalise_cased;
    PyObject *hay, *it, *item;
    (void)self;

    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError,
                        "scan_automaton(automaton, values, out, text, normalise, normalise_cased) takes 6 arguments");
        return NULL;
    }
    automaton = args[0];
    values = args[1];
    out = args[2];
    text = args[3];
    normalise = args[4];
    normalise_cased = args[5];
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return NULL;
    }
    if (seq_len(values, "values") < 0 || seq_len(out, "out") < 0)
        return NULL;
    if (Py_TYPE(automaton) == &Automaton_Type) {
        if (ac_scan((Automaton *)automaton, values, out, text, normalise, normalise_cased) < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    hay = padded_haystack(text, normalise);
    if (hay == NULL)
        return NULL;
    {
        PyObject *name = PyUnicode_FromString("iter");
        if (name == NULL) {
            Py_DECREF(hay);
            return NULL;
        }
        it = PyObject_CallMethodOneArg(automaton, name, hay);
        Py_DECREF(name);
    }
    Py_DECREF(hay);
    if (it == NULL)
        return NULL;
    while ((item = PyIter_Next(it)) != NULL) {
        Py_ssize_t end, v;
        PyObject *value;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_ValueError, "the automaton must yield (end, value) pairs");
            goto error;
        }
        if (as_ssize(PyTuple_GET_ITEM(item, 0), &end) < 0 || as_ssize(PyTuple_GET_ITEM(item, 1), &v) < 0)
            goto error;
        value = seq_get(values, v, "values");
        if (value == NULL || scan_one(out, text, normalise_cased, end, value) < 0)
            goto error;
        Py_DECREF(item);
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
error:
    Py_DECREF(item);
    Py_DECREF(it);
    return NULL;
}

/* -------------------------------------------------------------------------
 * TagCore: the compiled rules of a Tagger, for its facet loop
 * ---------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t nlabels;
    Py_ssize_t labels_off; /* into TagCore.label_pool */
    int has_w[2];
    double w[2];
    Py_ssize_t key;        /* key id */
    PyObject *rid;         /* strong */
} Entry;

typedef struct {
    double *thr;            /* per label id: thresholds.get(label, default) */
    Py_ssize_t *sup_n;      /* per label id: how many `unless` labels (0: none) */
    Py_ssize_t *sup_off;    /* per label id: offset into sup_pool */
    double *sup_ratio;      /* per label id */
    Py_ssize_t *sup_pool;
    int has_suppress;       /* the facet's suppress mapping is not empty */
    double share;
    Py_ssize_t max_labels;
    int limited;
} FacetOpts;

typedef struct {
    PyObject_HEAD
    Py_ssize_t nentries;
    Entry *entries;
    Py_ssize_t *label_pool;
    Py_ssize_t nlabels;
    PyObject *labels;       /* list: label id -> str */
    Py_ssize_t *label_rank; /* label id -> position in sorted(labels) */
    Py_ssize_t nfacets;
    PyObject *facets;       /* tuple of str */
    FacetOpts *opts;
    double repeat_weight;
    Py_ssize_t repeat_cap;
    PyTypeObject *evidence_type;
    int evidence_alloc;     /* build Evidence with tp_alloc (a plain tuple subclass) */
    PyObject *field_names;  /* tuple of 2 str */
} TagCore;

static void
TagCore_dealloc(TagCore *self)
{
    Py_ssize_t i;
    if (self->entries != NULL) {
        for (i = 0; i < self->nentries; i++)
            Py_XDECREF(self->entries[i].rid);
        PyMem_Free(self->entries);
    }
    PyMem_Free(self->label_pool);
    PyMem_Free(self->label_rank);
    if (self->opts != NULL) {
        for (i = 0; i < self->nfacets; i++) {
            PyMem_Free(self->opts[i].thr);
            PyMem_Free(self->opts[i].sup_n);
            PyMem_Free(self->opts[i].sup_off);
            PyMem_Free(self->opts[i].sup_ratio);
            PyMem_Free(self->opts[i].sup_pool);
        }
        PyMem_Free(self->opts);
    }
    Py_XDECREF(self->labels);
    Py_XDECREF(self->facets);
    Py_XDECREF((PyObject *)self->evidence_type);
    Py_XDECREF(self->field_names);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The id of a string in `ids` (a dict), adding it to `table` when new. */
static Py_ssize_t
intern_id(PyObject *ids, PyObject *table, PyObject *s)
{
    PyObject *v = PyDict_GetItemWithError(ids, s);
    Py_ssize_t id;
    if (v != NULL)
        return PyLong_AsSsize_t(v);
    if (PyErr_Occurred())
        return -1;
    id = PyList_GET_SIZE(table);
    v = PyLong_FromSsize_t(id);
    if (v == NULL)
        return -1;
    if (PyDict_SetItem(ids, s, v) < 0 || PyList_Append(table, s) < 0) {
        Py_DECREF(v);
        return -1;
    }
    Py_DECREF(v);
    return id;
}

static int
TagCore_init(TagCore *self, PyObject *args, PyObject *kwds)
{
    PyObject *info, *facet_opts, *facets, *evidence_type, *field_names, *default_obj, *rw_obj;
    Py_ssize_t repeat_cap, i, j, n, pool_n = 0;
    double default_thr;
    PyObject *label_ids = NULL, *key_ids = NULL, *keys = NULL, *sorted = NULL;
    static char *kwlist[] = {"info", "facet_opts", "facets", "repeat_weight", "repeat_cap", "default",
                             "evidence_type", "field_names", NULL};

    if (self->entries != NULL || self->labels != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "TagCore is already initialised");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO!OnOO!O!:TagCore", kwlist, &info, &facet_opts, &PyTuple_Type,
                                     &facets, &rw_obj, &repeat_cap, &default_obj, &PyType_Type, &evidence_type,
                                     &PyTuple_Type, &field_names))
        return -1;
    if (as_double(rw_obj, &self->repeat_weight) < 0 || as_double(default_obj, &default_thr) < 0)
        return -1;
    self->repeat_cap = repeat_cap;
    if (PyTuple_GET_SIZE(field_names) != 2) {
        PyErr_SetString(PyExc_ValueError, "field_names must hold two names");
        return -1;
    }
    if (!PyType_IsSubtype((PyTypeObject *)evidence_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "evidence_type must be a tuple subclass");
        return -1;
    }
    /* A tuple subclass without extra fields (a named tuple with __slots__ = ())
     * is created the way tuple.__new__ creates it; from Python 3.14 tuples
     * carry more state, so tuple.__new__ itself is called there. */
    self->evidence_alloc = PY_VERSION_HEX < 0x030E0000 &&
                           ((PyTypeObject *)evidence_type)->tp_basicsize == PyTuple_Type.tp_basicsize &&
                           ((PyTypeObject *)evidence_type)->tp_itemsize == PyTuple_Type.tp_itemsize &&
                           ((PyTypeObject *)evidence_type)->tp_dictoffset == 0;
    Py_INCREF(evidence_type);
    self->evidence_type = (PyTypeObject *)evidence_type;
    Py_INCREF(field_names);
    self->field_names = field_names;
    Py_INCREF(facets);
    self->facets = facets;
    self->nfacets = PyTuple_GET_SIZE(facets);

    label_ids = PyDict_New();
    key_ids = PyDict_New();
    keys = PyList_New(0);
    self->labels = PyList_New(0);
    if (label_ids == NULL || key_ids == NULL || keys == NULL || self->labels == NULL)
        goto error;

    /* entries */
    n = seq_len(info, "info");
    if (n < 0)
        goto error;
    self->entries = PyMem_Calloc(n ? (size_t)n : 1, sizeof(Entry));
    if (self->entries == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    self->nentries = n;
    {
        Py_ssize_t pool_cap = 0;
        for (i = 0; i < n; i++) {
            Entry *e = &self->entries[i];
            PyObject *row = seq_get(info, i, "info"), *labels, *weights, *key, *rid;
            Py_ssize_t nl, f;
            if (row == NULL)
                goto error;
            if (seq_len(row, "info row") != 4) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "an info row must be (labels, weights, key, rule id)");
                goto error;
            }
            labels = seq_get(row, 0, "info row");
            weights = seq_get(row, 1, "info row");
            key = seq_get(row, 2, "info row");
            rid = seq_get(row, 3, "info row");
            nl = seq_len(labels, "labels");
            if (nl < 0)
                goto error;
            if (grow((void **)&self->label_pool, &pool_cap, pool_n + nl, sizeof(Py_ssize_t)) < 0)
                goto error;
            e->labels_off = pool_n;
            e->nlabels = nl;
            for (j = 0; j < nl; j++) {
                Py_ssize_t id = intern_id(label_ids, self->labels, seq_get(labels, j, "labels"));
                if (id < 0)
                    goto error;
                self->label_pool[pool_n++] = id;
            }
            if (seq_len(weights, "weights") != 2) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "weights must be (title, abstract)");
                goto error;
            }
            for (f = 0; f < 2; f++) {
                PyObject *w = seq_get(weights, f, "weights");
                if (w == Py_None) {
                    e->has_w[f] = 0;
                    e->w[f] = 0.0;
                }
                else {
                    e->has_w[f] = 1;
                    if (as_double(w, &e->w[f]) < 0)
                        goto error;
                }
            }
            e->key = intern_id(key_ids, keys, key);
            if (e->key < 0)
                goto error;
            Py_INCREF(rid);
            e->rid = rid;
        }
    }

    /* facet options: (thresholds, suppress, share, max_labels, limited) */
    if (seq_len(facet_opts, "facet_opts") != self->nfacets) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "facet_opts must have one entry per facet");
        goto error;
    }
    self->opts = PyMem_Calloc(self->nfacets ? (size_t)self->nfacets : 1, sizeof(FacetOpts));
    if (self->opts == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    /* Labels named only by `unless` get ids first, so that every table below
     * covers every label. */
    for (i = 0; i < self->nfacets; i++) {
        PyObject *row = seq_get(facet_opts, i, "facet_opts"), *suppress, *k, *v;
        Py_ssize_t pos = 0;
        if (row == NULL)
            goto error;
        if (seq_len(row, "facet options") != 5) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "facet options must be (thresholds, suppress, share, max_labels, limited)");
            goto error;
        }
        suppress = seq_get(row, 1, "facet options");
        if (!PyDict_Check(suppress)) {
            PyErr_SetString(PyExc_TypeError, "suppress must be a dict");
            goto error;
        }
        while (PyDict_Next(suppress, &pos, &k, &v)) {
            PyObject *others;
            Py_ssize_t m;
            if (intern_id(label_ids, self->labels, k) < 0)
                goto error;
            if (seq_len(v, "unless spec") != 2) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "an unless spec must be (labels, ratio)");
                goto error;
            }
            others = seq_get(v, 0, "unless spec");
            m = seq_len(others, "unless labels");
            if (m < 0)
                goto error;
            for (j = 0; j < m; j++)
                if (intern_id(label_ids, self->labels, seq_get(others, j, "unless labels")) < 0)
                    goto error;
        }
    }
    self->nlabels = PyList_GET_SIZE(self->labels);
    for (i = 0; i < self->nfacets; i++) {
        FacetOpts *o = &self->opts[i];
        PyObject *row = seq_get(facet_opts, i, "facet_opts"), *thresholds, *suppress, *k, *v;
        Py_ssize_t pos = 0, L = self->nlabels, pool = 0, pool_cap = 0;
        int limited;
        if (row == NULL || seq_len(row, "facet options") != 5) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_RuntimeError, "facet options changed while compiling");
            goto error;
        }
        thresholds = seq_get(row, 0, "facet options");
        suppress = seq_get(row, 1, "facet options");
        if (!PyDict_Check(thresholds) || !PyDict_Check(suppress)) {
            PyErr_SetString(PyExc_TypeError, "thresholds and suppress must be dicts");
            goto error;
        }
        if (as_double(seq_get(row, 2, "facet options"), &o->share) < 0 ||
            as_ssize(seq_get(row, 3, "facet options"), &o->max_labels) < 0)
            goto error;
        limited = PyObject_IsTrue(seq_get(row, 4, "facet options"));
        if (limited < 0)
            goto error;
        o->limited = limited;
        o->has_suppress = PyDict_GET_SIZE(suppress) > 0;
        o->thr = PyMem_Calloc(L ? (size_t)L : 1, sizeof(double));
        o->sup_n = PyMem_Calloc(L ? (size_t)L : 1, sizeof(Py_ssize_t));
        o->sup_off = PyMem_Calloc(L ? (size_t)L : 1, sizeof(Py_ssize_t));
        o->sup_ratio = PyMem_Calloc(L ? (size_t)L : 1, sizeof(double));
        if (o->thr == NULL || o->sup_n == NULL || o->sup_off == NULL || o->sup_ratio == NULL) {
            PyErr_NoMemory();
            goto error;
        }
        for (j = 0; j < L; j++) {
            PyObject *t = PyDict_GetItemWithError(thresholds, PyList_GET_ITEM(self->labels, j));
            if (t == NULL) {
                if (PyErr_Occurred())
                    goto error;
                o->thr[j] = default_thr;
            }
            else if (as_double(t, &o->thr[j]) < 0)
                goto error;
        }
        while (PyDict_Next(suppress, &pos, &k, &v)) {
            PyObject *others = seq_get(v, 0, "unless spec");
            Py_ssize_t id, m, q;
            if (others == NULL)
                goto error;
            id = intern_id(label_ids, self->labels, k);
            m = seq_len(others, "unless labels");
            if (id < 0 || m < 0)
                goto error;
            if (as_double(seq_get(v, 1, "unless spec"), &o->sup_ratio[id]) < 0)
                goto error;
            if (grow((void **)&o->sup_pool, &pool_cap, pool + m + 1, sizeof(Py_ssize_t)) < 0)
                goto error;
            o->sup_off[id] = pool;
            o->sup_n[id] = m;
            for (q = 0; q < m; q++) {
                Py_ssize_t oid = intern_id(label_ids, self->labels, seq_get(others, q, "unless labels"));
                if (oid < 0)
                    goto error;
                o->sup_pool[pool++] = oid;
            }
        }
    }
    if (PyList_GET_SIZE(self->labels) != self->nlabels) {
        PyErr_SetString(PyExc_RuntimeError, "label table changed while compiling");
        goto error;
    }

    /* label -> rank in string order, for the (-score, label) ranking */
    self->label_rank = PyMem_Calloc(self->nlabels ? (size_t)self->nlabels : 1, sizeof(Py_ssize_t));
    if (self->label_rank == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    sorted = PyList_New(self->nlabels);
    if (sorted == NULL)
        goto error;
    for (j = 0; j < self->nlabels; j++) {
        PyObject *pair = Py_BuildValue("(On)", PyList_GET_ITEM(self->labels, j), j);
        if (pair == NULL)
            goto error;
        PyList_SET_ITEM(sorted, j, pair);
    }
    if (PyList_Sort(sorted) < 0)
        goto error;
    for (j = 0; j < self->nlabels; j++) {
        Py_ssize_t id = PyLong_AsSsize_t(PyTuple_GET_ITEM(PyList_GET_ITEM(sorted, j), 1));
        if (id == -1 && PyErr_Occurred())
            goto error;
        self->label_rank[id] = j;
    }
    Py_DECREF(sorted);
    Py_DECREF(label_ids);
    Py_DECREF(key_ids);
    Py_DECREF(keys);
    return 0;
error:
    Py_XDECREF(sorted);
    Py_XDECREF(label_ids);
    Py_XDECREF(key_ids);
    Py_XDECREF(keys);
    return -1;
}

/* -- per-call scratch ----------------------------------------------------- */

typedef struct {
    int fc;
    Py_ssize_t s, e;
    PyObject *rid; /* borrowed from the entry */
    Py_ssize_t next;
} Hit;

typedef struct {
    Py_ssize_t key;
    double best;
    Py_ssize_t repeats;
    Py_ssize_t next;
} Stat;

typedef struct {
    Py_ssize_t lid;
    Py_ssize_t hit_head, hit_tail;
    Py_ssize_t st_head, st_tail;
    double score;
    int given;
} LabelState;

typedef struct {
    int fc;
    Py_ssize_t s, e, lid, ord;
    PyObject *rid;
} Found;

typedef struct {
    Occ *occ;
    Py_ssize_t occ_cap;
    Occ *kept;
    Py_ssize_t kept_cap;
    Hit *hits;
    Py_ssize_t nhits, hits_cap;
    Stat *stats;
    Py_ssize_t nstats, stats_cap;
    LabelState *ls;
    Py_ssize_t nls, ls_cap;
    Py_ssize_t *label_pos; /* label id -> index in ls, or -1 */
    Py_ssize_t *span;      /* labels of the current span */
    Py_ssize_t span_cap;
    Py_ssize_t *given;
    Py_ssize_t *ranked;
    Found *found;
    Py_ssize_t found_cap;
} Scratch;

static void
scratch_free(Scratch *w)
{
    PyMem_Free(w->occ);
    PyMem_Free(w->kept);
    PyMem_Free(w->hits);
    PyMem_Free(w->stats);
    PyMem_Free(w->ls);
    PyMem_Free(w->label_pos);
    PyMem_Free(w->span);
    PyMem_Free(w->given);
    PyMem_Free(w->ranked);
    PyMem_Free(w->found);
}

static int
occ_cmp(const void *pa, const void *pb)
{
    const Occ *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->neg != b->neg)
        return a->neg < b->neg ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->idx != b->idx)
        return a->idx < b->idx ? -1 : 1;
    return 0;
}

/* Sorted as Python sorts the occurrence tuples (element-wise). Equal
 * occurrences are indistinguishable, so stability does not matter. */
static void
sort_occ(Occ *a, Py_ssize_t n)
{
    Py_ssize_t i, j;
    if (n > 64) { /* occurrences come nearly in order: insertion sorts them fast */
        qsort(a, (size_t)n, sizeof(Occ), occ_cmp);
        return;
    }
    for (i = 1; i < n; i++) {
        Occ x = a[i];
        for (j = i; j > 0 && occ_cmp(&a[j - 1], &x) > 0; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static int
found_cmp(const void *pa, const void *pb)
{
    const Found *a = pa, *b = pb;
    if (a->fc != b->fc)
        return a->fc < b->fc ? -1 : 1;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return a->ord < b->ord ? -1 : (a->ord > b->ord);
}

/* One occurrence tuple (start, -end, rank, entry index) into `o`. */
static int
parse_occ(TagCore *self, PyObject *t, Occ *o)
{
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 4) {
        PyErr_SetString(PyExc_TypeError, "an occurrence must be a tuple (start, -end, rank, entry)");
        return -1;
    }
    if (as_ssize(PyTuple_GET_ITEM(t, 0), &o->start) < 0 || as_ssize(PyTuple_GET_ITEM(t, 1), &o->neg) < 0 ||
        as_ssize(PyTuple_GET_ITEM(t, 2), &o->rank) < 0 || as_ssize(PyTuple_GET_ITEM(t, 3), &o->idx) < 0)
        return -1;
    return 0;
}

/* info[idx], with Python's indexing (negative from the end). */
static Entry *
entry_at(TagCore *self, Py_ssize_t idx)
{
    if (idx < 0)
        idx += self->nentries;
    if (idx < 0 || idx >= self->nentries) {
        PyErr_SetString(PyExc_IndexError, "entry index out of range");
        return NULL;
    }
    return &self->entries[idx];
}

/* The label's state in this facet, created (in first-seen order) when new. */
static Py_ssize_t
label_state(Scratch *w, Py_ssize_t lid, int *created)
{
    Py_ssize_t p = w->label_pos[lid];
    LabelState *ls;
    *created = 0;
    if (p >= 0)
        return p;
    if (grow((void **)&w->ls, &w->ls_cap, w->nls + 1, sizeof(LabelState)) < 0)
        return -1;
    p = w->nls++;
    ls = &w->ls[p];
    ls->lid = lid;
    ls->hit_head = ls->hit_tail = -1;
    ls->st_head = ls->st_tail = -1;
    ls->score = 0.0;
    ls->given = 0;
    w->label_pos[lid] = p;
    *created = 1;
    return p;
}

static PyObject *
new_evidence(TagCore *self, PyObject *facet, PyObject *label, PyObject *rid, PyObject *field, Py_ssize_t s,
             Py_ssize_t e, PyObject *text)
{
    PyObject *items[7], *ev;
    int i;
    items[0] = facet;
    items[1] = label;
    items[2] = rid;
    items[3] = field;
    items[4] = pos_long(s);
    items[5] = pos_long(e);
    items[6] = PyUnicode_Substring(text, s, e);
    if (items[4] == NULL || items[5] == NULL || items[6] == NULL) {
        Py_XDECREF(items[4]);
        Py_XDECREF(items[5]);
        Py_XDECREF(items[6]);
        return NULL;
    }
    Py_INCREF(facet);
    Py_INCREF(label);
    Py_INCREF(rid);
    Py_INCREF(field);
    if (self->evidence_alloc) {
        ev = self->evidence_type->tp_alloc(self->evidence_type, 7);
        if (ev != NULL) {
            for (i = 0; i < 7; i++)
                PyTuple_SET_ITEM(ev, i, items[i]);
            return ev;
        }
    }
    else {
        PyObject *tup = PyTuple_New(7), *args;
        if (tup != NULL) {
            for (i = 0; i < 7; i++)
                PyTuple_SET_ITEM(tup, i, items[i]);
            args = PyTuple_Pack(1, tup);
            Py_DECREF(tup);
            if (args == NULL)
                return NULL;
            ev = PyTuple_Type.tp_new(self->evidence_type, args, NULL);
            Py_DECREF(args);
            return ev;
        }
    }
    for (i = 0; i < 7; i++)
        Py_DECREF(items[i]);
    return NULL;
}

/* One facet of Tagger.tag: appends its given labels and its evidence. */
static int
tag_facet(TagCore *self, Scratch *w, Py_ssize_t fi, PyObject *per_field, PyObject *texts, PyObject *given_out,
          PyObject *evidence_out)
{
    FacetOpts *opts = &self->opts[fi];
    PyObject *facet = PyTuple_GET_ITEM(self->facets, fi);
    PyObject *given_list = NULL, *ev_list = NULL;
    Py_ssize_t fc, i, j, k, ngiven = 0, nfound = 0;
    int rc = -1;

    w->nhits = w->nstats = w->nls = 0;
    for (fc = 0; fc < 2; fc++) {
        PyObject *field_occ = seq_get(per_field, fc, "per_field"), *occ;
        Py_ssize_t n, nkept = 0, span_n = 0;
        int vetoed = 0, have_prev = 0;
        Py_ssize_t prev_start = 0, prev_neg = 0;
        if (field_occ == NULL)
            goto done;
        occ = seq_get(field_occ, fi, "occurrences");
        if (occ == NULL)
            goto done;
        if (OccList_Check(occ))
            n = ((OccList *)occ)->n;
        else if (PyList_Check(occ))
            n = PyList_GET_SIZE(occ);
        else {
            PyErr_SetString(PyExc_TypeError, "occurrences must be a list or an OccList");
            goto done;
        }
        if (n == 0)
            continue;
        /* resolve_kept */
        if (grow((void **)&w->occ, &w->occ_cap, n, sizeof(Occ)) < 0 ||
            grow((void **)&w->kept, &w->kept_cap, n, sizeof(Occ)) < 0)
            goto done;
        if (OccList_Check(occ))
            memcpy(w->occ, ((OccList *)occ)->a, (size_t)n * sizeof(Occ));
        else
            for (i = 0; i < n; i++)
                if (parse_occ(self, PyList_GET_ITEM(occ, i), &w->occ[i]) < 0)
                    goto done;
        if (n == 1) {
            if (w->occ[0].rank)
                w->kept[nkept++] = w->occ[0];
        }
        else {
            Py_ssize_t span_end = -1, span_start = 0, span_neg = 0, span_rank = 1;
            sort_occ(w->occ, n);
            for (i = 0; i < n; i++) {
                Occ *o = &w->occ[i];
                if (o->start >= span_end) {
                    span_start = o->start;
                    span_neg = o->neg;
                    span_rank = o->rank;
                    span_end = -o->neg;
                    if (o->rank)
                        w->kept[nkept++] = *o;
                }
                else if (o->rank) {
                    if (o->start == span_start && o->neg == span_neg && span_rank)
                        w->kept[nkept++] = *o;
                    else if (!span_rank)
                        vetoed = 1;
                }
            }
        }
        if (vetoed) {
            /* resolve(): labels keep the order they were first seen in,
             * vetoes included (over the distinct occurrences, in order) */
            Py_ssize_t span_end = -1, span_start = -1, span_rank = 1;
            for (i = 0; i < n; i++) {
                Occ *o = &w->occ[i];
                Py_ssize_t end = -o->neg;
                if (i > 0 && occ_cmp(o, &w->occ[i - 1]) == 0)
                    continue;
                if (o->start >= span_end) {
                    span_start = o->start;
                    span_end = end;
                    span_rank = o->rank;
                }
                else if (o->start == span_start && end == span_end && o->rank == span_rank) {
                    /* the same text for another rule */
                }
                else if (!span_rank && o->rank) {
                    Entry *e = entry_at(self, o->idx);
                    if (e == NULL)
                        goto done;
                    for (j = 0; j < e->nlabels; j++) {
                        int created;
                        if (label_state(w, self->label_pool[e->labels_off + j], &created) < 0)
                            goto done;
                    }
                }
            }
        }
        for (k = 0; k < nkept; k++) {
            Occ *o = &w->kept[k];
            Entry *e = entry_at(self, o->idx);
            int dup;
            double wt;
            if (e == NULL)
                goto done;
            if (!e->has_w[fc])
                continue;
            wt = e->w[fc];
            dup = have_prev && o->start == prev_start && o->neg == prev_neg;
            if (!dup) {
                have_prev = 1;
                prev_start = o->start;
                prev_neg = o->neg;
                if (grow((void **)&w->span, &w->span_cap, e->nlabels, sizeof(Py_ssize_t)) < 0)
                    goto done;
                if (e->nlabels > 0)
                    memcpy(w->span, self->label_pool + e->labels_off, (size_t)e->nlabels * sizeof(Py_ssize_t));
                span_n = e->nlabels;
            }
            for (j = 0; j < e->nlabels; j++) {
                Py_ssize_t lid = self->label_pool[e->labels_off + j], p, q, h;
                LabelState *ls;
                int created;
                if (dup) {
                    int in_span = 0;
                    for (q = 0; q < span_n; q++)
                        if (w->span[q] == lid) {
                            in_span = 1;
                            break;
                        }
                    if (in_span)
                        continue;
                    if (grow((void **)&w->span, &w->span_cap, span_n + 1, sizeof(Py_ssize_t)) < 0)
                        goto done;
                    w->span[span_n++] = lid;
                }
                p = label_state(w, lid, &created);
                if (p < 0)
                    goto done;
                if (grow((void **)&w->hits, &w->hits_cap, w->nhits + 1, sizeof(Hit)) < 0)
                    goto done;
                ls = &w->ls[p];
                h = w->nhits++;
                w->hits[h].fc = (int)fc;
                w->hits[h].s = o->start;
                w->hits[h].e = -o->neg;
                w->hits[h].rid = e->rid;
                w->hits[h].next = -1;
                if (ls->hit_tail >= 0)
                    w->hits[ls->hit_tail].next = h;
                else
                    ls->hit_head = h;
                ls->hit_tail = h;
                /* the phrase key's [best weight, repeats] */
                for (q = ls->st_head; q >= 0; q = w->stats[q].next)
                    if (w->stats[q].key == e->key)
                        break;
                if (q >= 0) {
                    Stat *st = &w->stats[q];
                    if (wt > st->best)
                        st->best = wt;
                    st->repeats += 1;
                }
                else {
                    if (grow((void **)&w->stats, &w->stats_cap, w->nstats + 1, sizeof(Stat)) < 0)
                        goto done;
                    q = w->nstats++;
                    w->stats[q].key = e->key;
                    w->stats[q].best = wt;
                    w->stats[q].repeats = 0;
                    w->stats[q].next = -1;
                    if (ls->st_tail >= 0)
                        w->stats[ls->st_tail].next = q;
                    else
                        ls->st_head = q;
                    ls->st_tail = q;
                }
            }
        }
    }

    /* Tagger._given */
    for (i = 0; i < w->nls; i++) {
        LabelState *ls = &w->ls[i];
        double total = 0.0;
        Py_ssize_t q;
        for (q = ls->st_head; q >= 0; q = w->stats[q].next) {
            Py_ssize_t m = w->stats[q].repeats < self->repeat_cap ? w->stats[q].repeats : self->repeat_cap;
            total = py_add(total, py_add(w->stats[q].best, py_mul(self->repeat_weight, (double)m)));
        }
        ls->score = total;
        if (total >= opts->thr[ls->lid])
            w->given[ngiven++] = i;
    }
    if (opts->has_suppress && ngiven > 0) {
        Py_ssize_t kept_n = 0;
        /* `out` is decided against the labels given before any is dropped */
        for (i = 0; i < ngiven; i++) {
            LabelState *ls = &w->ls[w->given[i]];
            Py_ssize_t lid = ls->lid, m = opts->sup_n[lid], q;
            ls->given = 1;
            for (q = 0; q < m; q++) {
                Py_ssize_t p = w->label_pos[opts->sup_pool[opts->sup_off[lid] + q]];
                int in_given = 0;
                if (p >= 0)
                    for (j = 0; j < ngiven; j++)
                        if (w->given[j] == p) {
                            in_given = 1;
                            break;
                        }
                if (in_given && ls->score < py_mul(opts->sup_ratio[lid], w->ls[p].score)) {
                    ls->given = 0;
                    break;
                }
            }
        }
        for (i = 0; i < ngiven; i++)
            if (w->ls[w->given[i]].given)
                w->given[kept_n++] = w->given[i];
        ngiven = kept_n;
    }
    if (opts->limited && ngiven > 0) {
        /* ranked by (-score, label); labels are distinct, so the order is total */
        Py_ssize_t keep_n, kept_n = 0;
        double top, bar;
        for (i = 0; i < ngiven; i++) {
            Py_ssize_t x = w->given[i];
            double nx = -w->ls[x].score;
            for (j = i; j > 0; j--) {
                Py_ssize_t y = w->ranked[j - 1];
                double ny = -w->ls[y].score;
                int less = nx != ny ? nx < ny : self->label_rank[w->ls[x].lid] < self->label_rank[w->ls[y].lid];
                if (!less)
                    break;
                w->ranked[j] = y;
            }
            w->ranked[j] = x;
        }
        top = w->ls[w->ranked[0]].score;
        keep_n = ngiven;
        if (opts->max_labels > 0)
            keep_n = opts->max_labels < ngiven ? opts->max_labels : ngiven;
        else if (opts->max_labels < 0)
            keep_n = ngiven + opts->max_labels > 0 ? ngiven + opts->max_labels : 0;
        for (i = 0; i < ngiven; i++)
            w->ls[w->given[i]].given = 0;
        for (i = 0; i < keep_n; i++)
            w->ls[w->ranked[i]].given = 1;
        bar = py_mul(opts->share, top);
        for (i = 0; i < ngiven; i++) {
            LabelState *ls = &w->ls[w->given[i]];
            if (ls->given && !(ls->score < bar))
                w->given[kept_n++] = w->given[i];
        }
        ngiven = kept_n;
    }

    /* the given labels and their evidence */
    given_list = PyList_New(ngiven);
    if (given_list == NULL)
        goto done;
    for (i = 0; i < ngiven; i++) {
        LabelState *ls = &w->ls[w->given[i]];
        PyObject *label = PyList_GET_ITEM(self->labels, ls->lid);
        Py_ssize_t h;
        Py_INCREF(label);
        PyList_SET_ITEM(given_list, i, label);
        for (h = ls->hit_head; h >= 0; h = w->hits[h].next) {
            Found *f;
            if (grow((void **)&w->found, &w->found_cap, nfound + 1, sizeof(Found)) < 0)
                goto done;
            f = &w->found[nfound];
            f->fc = w->hits[h].fc;
            f->s = w->hits[h].s;
            f->e = w->hits[h].e;
            f->rid = w->hits[h].rid;
            f->lid = ls->lid;
            f->ord = nfound;
            nfound++;
        }
    }
    if (ngiven > 1 && nfound > 1) { /* a stable sort by (field, start) */
        if (nfound > 32)
            qsort(w->found, (size_t)nfound, sizeof(Found), found_cmp);
        else /* few, each label's already in order: insertion is faster than qsort's calls */
            for (i = 1; i < nfound; i++) {
                Found x = w->found[i];
                for (j = i; j > 0 && found_cmp(&w->found[j - 1], &x) > 0; j--)
                    w->found[j] = w->found[j - 1];
                w->found[j] = x;
            }
    }
    ev_list = PyList_New(nfound);
    if (ev_list == NULL)
        goto done;
    for (i = 0; i < nfound; i++) {
        Found *f = &w->found[i];
        PyObject *text = PyTuple_GET_ITEM(texts, f->fc);
        PyObject *ev = new_evidence(self, facet, PyList_GET_ITEM(self->labels, f->lid), f->rid,
                                    PyTuple_GET_ITEM(self->field_names, f->fc), f->s, f->e, text);
        if (ev == NULL)
            goto done;
        PyList_SET_ITEM(ev_list, i, ev);
    }
    if (PyList_Append(given_out, given_list) < 0 || PyList_Append(evidence_out, ev_list) < 0)
        goto done;
    rc = 0;
done:
    for (i = 0; i < w->nls; i++)
        w->label_pos[w->ls[i].lid] = -1;
    w->nls = 0;
    Py_XDECREF(given_list);
    Py_XDECREF(ev_list);
    return rc;
}

static PyObject *
TagCore_tag(TagCore *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *per_field, *texts, *given_out = NULL, *evidence_out = NULL, *result = NULL;
    Scratch w;
    Py_ssize_t fi, fc, L = self->nlabels;

    if (self->labels == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "TagCore is not initialised");
        return NULL;
    }
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "tag(per_field, texts) takes 2 arguments");
        return NULL;
    }
    per_field = args[0];
    texts = args[1];
    if (!PyTuple_Check(texts) || PyTuple_GET_SIZE(texts) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(texts, 0)) ||
        !PyUnicode_Check(PyTuple_GET_ITEM(texts, 1))) {
        PyErr_SetString(PyExc_TypeError, "texts must be a tuple (title, abstract) of str");
        return NULL;
    }
    if (seq_len(per_field, "per_field") != 2) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "per_field must hold the title's and the abstract's occurrences");
        return NULL;
    }
    for (fc = 0; fc < 2; fc++)
        if (seq_len(seq_get(per_field, fc, "per_field"), "occurrences per facet") != self->nfacets) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "occurrences must be given for every facet");
            return NULL;
        }
    memset(&w, 0, sizeof(w));
    w.label_pos = PyMem_Malloc((L ? (size_t)L : 1) * sizeof(Py_ssize_t));
    w.given = PyMem_Malloc((L ? (size_t)L : 1) * sizeof(Py_ssize_t));
    w.ranked = PyMem_Malloc((L ? (size_t)L : 1) * sizeof(Py_ssize_t));
    if (w.label_pos == NULL || w.given == NULL || w.ranked == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (fi = 0; fi < L; fi++)
        w.label_pos[fi] = -1;
    given_out = PyList_New(0);
    evidence_out = PyList_New(0);
    if (given_out == NULL || evidence_out == NULL)
        goto done;
    for (fi = 0; fi < self->nfacets; fi++)
        if (tag_facet(self, &w, fi, per_field, texts, given_out, evidence_out) < 0)
            goto done;
    result = PyTuple_Pack(2, given_out, evidence_out);
done:
    scratch_free(&w);
    Py_XDECREF(given_out);
    Py_XDECREF(evidence_out);
    return result;
}

static PyMethodDef TagCore_methods[] = {
    {"tag", (PyCFunction)(void (*)(void))TagCore_tag, METH_FASTCALL,
     "tag(per_field, texts) -> (given labels per facet, evidence per facet)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject TagCore_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "papertriage._fastcore.TagCore",
    .tp_basicsize = sizeof(TagCore),
    .tp_dealloc = (destructor)TagCore_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "TagCore(info, facet_opts, facets, repeat_weight, repeat_cap, default, evidence_type, field_names)\n\n"
              "A Tagger's compiled rules; tag() runs its facet loop.",
    .tp_methods = TagCore_methods,
    .tp_init = (initproc)TagCore_init,
    .tp_new = PyType_GenericNew,
};

/* -------------------------------------------------------------------------
 * scan_patterns(text, patterns, out): the regular-expression rules
 * ---------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t start, end;
} sp_span;

static int
sp_span_cmp(const void *pa, const void *pb)
{
    const sp_span *a = (const sp_span *)pa, *b = (const sp_span *)pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return 0;
}

static PyObject *sp_str_rx, *sp_str_compile, *sp_str_match, *sp_str_finditer, *sp_str_span, *sp_str_lower;

/* (start, end) of a match object. */
static int
sp_match_span(PyObject *m, Py_ssize_t *s, Py_ssize_t *e)
{
    PyObject *span = PyObject_CallMethodNoArgs(m, sp_str_span);
    int rc = -1;
    if (span == NULL)
        return -1;
    if (PyTuple_Check(span) && PyTuple_GET_SIZE(span) == 2 && as_ssize(PyTuple_GET_ITEM(span, 0), s) == 0 &&
        as_ssize(PyTuple_GET_ITEM(span, 1), e) == 0)
        rc = 0;
    else if (!PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "a match's span() must be a pair of integers");
    Py_DECREF(span);
    return rc;
}

/* Every non-empty match of rx in text, as finditer gives them. */
static int
sp_finditer(PyObject *rx, PyObject *text, PyObject *dest, PyObject *rank, PyObject *idx)
{
    PyObject *it = PyObject_CallMethodOneArg(rx, sp_str_finditer, text), *m;
    if (it == NULL)
        return -1;
    while ((m = PyIter_Next(it)) != NULL) {
        Py_ssize_t s, e;
        int rc = sp_match_span(m, &s, &e);
        Py_DECREF(m);
        if (rc < 0 || (e > s && occ_append(dest, s, -e, rank, idx) < 0)) {
            Py_DECREF(it);
            return -1;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

typedef struct {
    PyObject *text, *low; /* low: text.lower(), or NULL when lowb holds it */
    const char *lowb;     /* an ASCII text's lower case, as bytes (else NULL) */
    Py_ssize_t n;
    unsigned char *tried; /* n + 1 flags, all 0 between patterns */
    Py_ssize_t *marks;    /* positions set in tried */
    Py_ssize_t nmarks, cap_marks;
    sp_span *found;
    Py_ssize_t nfound, cap_found;
    Py_ssize_t *windows; /* lo, hi pairs */
    Py_ssize_t nwin, cap_win;
} sp_state;

/* How common a byte is in English text (higher: more common), to search
 * for the rarest byte of a literal. */
static unsigned char sp_common[256];

static void
init_sp_table(void)
{
    static const char order[] = "zqjxkvbpygfwmucldrhsnioate "; /* rare to common */
    int k;
    for (k = 0; order[k]; k++)
        sp_common[(unsigned char)order[k]] = (unsigned char)(k + 1);
}

/* low.find(needle, start, end): -1 when absent, -2 on an error. */
static Py_ssize_t
sp_find(const sp_state *st, PyObject *needle, Py_ssize_t start, Py_ssize_t end)
{
    const char *hay = st->lowb, *p, *nd, *limit;
    Py_ssize_t m, r, k;
    if (hay == NULL)
        return PyUnicode_Find(st->low, needle, start, end, 1);
    if (end > st->n)
        end = st->n;
    if (start < 0)
        start = 0;
    m = PyUnicode_GET_LENGTH(needle);
    if (m > end - start)
        return -1;
    if (!PyUnicode_IS_ASCII(needle))
        return -1; /* not in an ASCII text */
    if (m == 0)
        return start;
    nd = (const char *)PyUnicode_1BYTE_DATA(needle);
    /* candidates where the needle's rarest byte (at r) is */
    for (r = 0, k = 1; k < m; k++)
        if (sp_common[(unsigned char)nd[k]] < sp_common[(unsigned char)nd[r]])
            r = k;
    limit = hay + end - m + r + 1; /* past the last place the rarest byte can be */
    for (p = hay + start + r; p < limit && (p = memchr(p, nd[r], (size_t)(limit - p))) != NULL; p++)
        if (memcmp(p - r, nd, (size_t)m) == 0)
            return p - r - hay;
    return -1;
}

/* One pattern with start literals: tried only at their occurrences at word
 * starts (inside the windows before the required literal when its matches
 * are bounded), as Tables._scan_patterns does. */
static int
sp_triggered(sp_state *st, PyObject *rx, PyObject *trigs, PyObject *need, Py_ssize_t width, PyObject *dest,
             PyObject *rank, PyObject *idx)
{
    Py_ssize_t ntrig = PyTuple_GET_SIZE(trigs), ti, w, k;
    Py_ssize_t nneed = PyUnicode_GET_LENGTH(need);
    int use_windows = nneed > 0 && width > 0;
    int rc = -1;
    st->nwin = 0;
    st->nfound = 0;
    st->nmarks = 0;
    if (use_windows) {
        Py_ssize_t q = sp_find(st, need, 0, st->n);
        while (q >= 0) {
            if (grow((void **)&st->windows, &st->cap_win, st->nwin + 2, sizeof(Py_ssize_t)) < 0)
                return -1;
            st->windows[st->nwin++] = q + nneed - width > 0 ? q + nneed - width : 0;
            st->windows[st->nwin++] = q;
            q = sp_find(st, need, q + 1, st->n);
        }
        if (q == -2)
            return -1;
    }
    else {
        if (grow((void **)&st->windows, &st->cap_win, 2, sizeof(Py_ssize_t)) < 0)
            return -1;
        st->windows[0] = 0;
        st->windows[1] = st->n;
        st->nwin = 2;
    }
    for (ti = 0; ti < ntrig; ti++) {
        PyObject *t = PyTuple_GET_ITEM(trigs, ti);
        Py_ssize_t tl;
        if (!PyUnicode_Check(t)) {
            PyErr_SetString(PyExc_TypeError, "a start literal must be a str");
            goto done;
        }
        tl = PyUnicode_GET_LENGTH(t);
        for (w = 0; w < st->nwin; w += 2) {
            Py_ssize_t lo = st->windows[w], end = st->windows[w + 1] + tl, pos;
            if (end > st->n)
                end = st->n;
            pos = lo <= st->n ? sp_find(st, t, lo, end) : -1;
            while (pos >= 0) {
                if (!st->tried[pos] &&
                    (pos == 0 || !Py_UNICODE_ISALNUM(PyUnicode_READ_CHAR(st->text, pos - 1)))) {
                    PyObject *m, *args[3];
                    if (grow((void **)&st->marks, &st->cap_marks, st->nmarks + 1, sizeof(Py_ssize_t)) < 0)
                        goto done;
                    st->tried[pos] = 1;
                    st->marks[st->nmarks++] = pos;
                    args[0] = rx;
                    args[1] = st->text;
                    args[2] = pos_long(pos);
                    if (args[2] == NULL)
                        goto done;
                    m = PyObject_VectorcallMethod(sp_str_match, args, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
                    Py_DECREF(args[2]);
                    if (m == NULL)
                        goto done;
                    if (m != Py_None) {
                        Py_ssize_t s, e;
                        if (sp_match_span(m, &s, &e) < 0) {
                            Py_DECREF(m);
                            goto done;
                        }
                        if (e > s) {
                            if (grow((void **)&st->found, &st->cap_found, st->nfound + 1, sizeof(sp_span)) < 0) {
                                Py_DECREF(m);
                                goto done;
                            }
                            st->found[st->nfound].start = s;
                            st->found[st->nfound].end = e;
                            st->nfound++;
                        }
                    }
                    Py_DECREF(m);
                }
                pos = sp_find(st, t, pos + 1, end);
            }
            if (pos == -2)
                goto done;
        }
    }
    if (st->nfound) {
        Py_ssize_t last = -1;
        qsort(st->found, (size_t)st->nfound, sizeof(sp_span), sp_span_cmp);
        for (k = 0; k < st->nfound; k++) /* non-overlapping, as finditer would give */
            if (st->found[k].start >= last) {
                if (occ_append(dest, st->found[k].start, -st->found[k].end, rank, idx) < 0)
                    goto done;
                last = st->found[k].end;
            }
    }
    rc = 0;
done:
    for (k = 0; k < st->nmarks; k++)
        st->tried[st->marks[k]] = 0;
    return rc;
}

/* scan_patterns(text, patterns, out): Tables._scan_patterns for patterns given
 * as (lazy pattern, facet index, rank, entry, start literals (a tuple),
 * required literal, its rarest character, width). */
static PyObject *
scan_patterns(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *text, *patterns, *out, *low = NULL, *result = NULL;
    Py_UCS4 absent[64];
    int nabsent = 0, aligned;
    Py_ssize_t np, i, nfacets;
    sp_state st;
    memset(&st, 0, sizeof st);
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "scan_patterns(text, patterns, out) takes 3 arguments");
        return NULL;
    }
    text = args[0];
    patterns = args[1];
    out = args[2];
    if (!PyUnicode_Check(text) || !PyList_Check(patterns) || !PyList_Check(out)) {
        PyErr_SetString(PyExc_TypeError, "scan_patterns: text must be a str, patterns and out lists");
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return NULL;
#endif
    np = PyList_GET_SIZE(patterns);
    nfacets = PyList_GET_SIZE(out);
    if (np == 0)
        Py_RETURN_NONE;
    st.text = text;
    if (PyUnicode_IS_ASCII(text)) {
        /* str.lower() of ASCII text lower-cases A to Z only */
        const Py_UCS1 *src = PyUnicode_1BYTE_DATA(text);
        char *b;
        st.n = PyUnicode_GET_LENGTH(text);
        b = PyMem_Malloc((size_t)st.n + 1);
        if (b == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        for (i = 0; i < st.n; i++)
            b[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
        st.lowb = b;
    }
    else {
        low = PyObject_CallMethodNoArgs(text, sp_str_lower);
        if (low == NULL)
            return NULL;
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(low) < 0)
            goto done;
#endif
        st.low = low;
        st.n = PyUnicode_GET_LENGTH(low);
    }
    aligned = st.n == PyUnicode_GET_LENGTH(text);
    for (i = 0; i < np; i++) {
        PyObject *p = PyList_GET_ITEM(patterns, i);
        PyObject *lazy, *rank, *idx, *trigs, *need, *gate, *rx, *dest;
        Py_ssize_t fi, width;
        int rc;
        if (!PyTuple_Check(p) || PyTuple_GET_SIZE(p) != 8) {
            PyErr_SetString(PyExc_TypeError, "a pattern must be (lazy, facet, rank, entry, starts, literal, gate, width)");
            goto done;
        }
        lazy = PyTuple_GET_ITEM(p, 0);
        rank = PyTuple_GET_ITEM(p, 2);
        idx = PyTuple_GET_ITEM(p, 3);
        trigs = PyTuple_GET_ITEM(p, 4);
        need = PyTuple_GET_ITEM(p, 5);
        gate = PyTuple_GET_ITEM(p, 6);
        if (as_ssize(PyTuple_GET_ITEM(p, 1), &fi) < 0 || as_ssize(PyTuple_GET_ITEM(p, 7), &width) < 0)
            goto done;
        if (fi < 0 || fi >= nfacets || !occ_sink_ok(PyList_GET_ITEM(out, fi))) {
            PyErr_SetString(PyExc_IndexError, "a pattern's facet is not in out");
            goto done;
        }
        if (!PyTuple_Check(trigs) || !PyUnicode_Check(need) || !PyUnicode_Check(gate)) {
            PyErr_SetString(PyExc_TypeError, "a pattern's starts must be a tuple, its literal and gate str");
            goto done;
        }
        dest = PyList_GET_ITEM(out, fi);
        if (PyUnicode_GET_LENGTH(need) > 0) {
            /* a rare character of the literal first: one fast scan rules out
             * most patterns */
            Py_ssize_t at;
            int k, seen = 0;
            Py_UCS4 g;
            if (PyUnicode_GET_LENGTH(gate) != 1) {
                PyErr_SetString(PyExc_ValueError, "a pattern's gate must be one character");
                goto done;
            }
            g = PyUnicode_READ_CHAR(gate, 0);
            for (k = 0; k < nabsent; k++)
                if (absent[k] == g) {
                    seen = 1;
                    break;
                }
            if (seen)
                continue;
            if (st.lowb != NULL)
                at = g < 128 && memchr(st.lowb, (int)g, (size_t)st.n) != NULL ? 0 : -1;
            else
                at = PyUnicode_FindChar(low, g, 0, st.n, 1);
            if (at == -2)
                goto done;
            if (at < 0) {
                if (nabsent < 64)
                    absent[nabsent++] = g;
                continue;
            }
            at = sp_find(&st, need, 0, st.n);
            if (at == -2)
                goto done;
            if (at < 0)
                continue;
        }
        rx = PyObject_GetAttr(lazy, sp_str_rx);
        if (rx == NULL)
            goto done;
        if (rx == Py_None) {
            Py_DECREF(rx);
            rx = PyObject_CallMethodNoArgs(lazy, sp_str_compile);
            if (rx == NULL)
                goto done;
        }
        if (PyTuple_GET_SIZE(trigs) == 0 || !aligned)
            rc = sp_finditer(rx, text, dest, rank, idx);
        else {
            if (st.tried == NULL) {
                st.tried = (unsigned char *)PyMem_Calloc((size_t)st.n + 1, 1);
                if (st.tried == NULL) {
                    Py_DECREF(rx);
                    PyErr_NoMemory();
                    goto done;
                }
            }
            rc = sp_triggered(&st, rx, trigs, need, width, dest, rank, idx);
        }
        Py_DECREF(rx);
        if (rc < 0)
            goto done;
    }
    Py_INCREF(Py_None);
    result = Py_None;
done:
    Py_XDECREF(low);
    PyMem_Free((void *)st.lowb);
    PyMem_Free(st.tried);
    PyMem_Free(st.marks);
    PyMem_Free(st.found);
    PyMem_Free(st.windows);
    return result;
}

/* -------------------------------------------------------------------------
 * new_struct(cls, fields, *values): records without their __init__
 * ---------------------------------------------------------------------- */

/* A new instance of cls with each field descriptor (the member descriptors
 * of its __slots__) set to its value, in order, as object.__setattr__ sets
 * them: what the frozen classes' __init__ does one Python call per field. */
static PyObject *
new_struct(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyTypeObject *cls;
    PyObject *fields, *obj;
    Py_ssize_t n, i;
    if (nargs < 2 || !PyType_Check(args[0]) || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "new_struct(cls, fields, *values): cls must be a type and fields a tuple");
        return NULL;
    }
    cls = (PyTypeObject *)args[0];
    fields = args[1];
    n = PyTuple_GET_SIZE(fields);
    if (nargs - 2 != n) {
        PyErr_Format(PyExc_TypeError, "new_struct: %zd fields but %zd values", n, nargs - 2);
        return NULL;
    }
    obj = cls->tp_alloc(cls, 0);
    if (obj == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *d = PyTuple_GET_ITEM(fields, i);
        descrsetfunc set = Py_TYPE(d)->tp_descr_set;
        if (set == NULL) {
            PyErr_SetString(PyExc_TypeError, "new_struct: a field must be a data descriptor");
            Py_DECREF(obj);
            return NULL;
        }
        if (set(d, obj, args[i + 2]) < 0) {
            Py_DECREF(obj);
            return NULL;
        }
    }
    return obj;
}

/* -------------------------------------------------------------------------
 * rows_as_dicts(keys, rows): output records
 * ---------------------------------------------------------------------- */

/* [dict(zip(keys, row)) for row in rows], for rows (tuples, such as
 * Evidence) exactly as long as keys: the JSON objects of a record's evidence. */
static PyObject *
rows_as_dicts(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *keys, *rows, *result;
    Py_ssize_t nkeys, n, i, k;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "rows_as_dicts(keys, rows) takes 2 arguments");
        return NULL;
    }
    keys = args[0];
    rows = args[1];
    if (!PyTuple_Check(keys) || !PyList_Check(rows)) {
        PyErr_SetString(PyExc_TypeError, "rows_as_dicts: keys must be a tuple and rows a list");
        return NULL;
    }
    nkeys = PyTuple_GET_SIZE(keys);
    n = PyList_GET_SIZE(rows);
    result = PyList_New(n);
    if (result == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        PyObject *d;
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != nkeys) {
            PyErr_Format(PyExc_ValueError, "rows_as_dicts: row %zd is not a tuple of %zd items", i, nkeys);
            Py_DECREF(result);
            return NULL;
        }
#if PY_VERSION_HEX < 0x030D0000
        d = _PyDict_NewPresized(nkeys); /* no resize while filling */
#else
        d = PyDict_New();
#endif
        if (d == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyList_SET_ITEM(result, i, d);
        for (k = 0; k < nkeys; k++) {
            if (PyDict_SetItem(d, PyTuple_GET_ITEM(keys, k), PyTuple_GET_ITEM(row, k)) < 0) {
                Py_DECREF(result);
                return NULL;
            }
        }
    }
    return result;
}

/* -------------------------------------------------------------------------
 * evidence_json(evidence): the JSON of a record's evidence
 * ---------------------------------------------------------------------- */

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
} ej_buf;

static unsigned char ej_esc[256]; /* 1: a byte JSON strings escape ('"', '\\', controls) */

static void
init_ej_table(void)
{
    int c;
    for (c = 0; c < 0x20; c++)
        ej_esc[c] = 1;
    ej_esc['"'] = ej_esc['\\'] = 1;
}

static inline int
ej_reserve(ej_buf *b, Py_ssize_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    return grow((void **)&b->buf, &b->cap, b->len + extra, 1);
}

/* A str as orjson writes it: UTF-8, with '"', '\\' and control characters
 * escaped (\b \t \n \f \r, else \u00XX). 1: not representable (a surrogate),
 * with no exception set. */
/* Whether one of the eight bytes of x is escaped in a JSON string ('"', '\\' or
 * below 0x20): exact, by the "has a zero byte" and "has a byte below n" tests. */
static inline int
ej_escapes(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
    return (((q - ones) & ~q) | ((bs - ones) & ~bs) | ((x - ones * 0x20) & ~x)) & highs ? 1 : 0;
}

static int
ej_str(ej_buf *b, PyObject *s)
{
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t n, i = 0;
    const unsigned char *u;
    char *o;
    if (!PyUnicode_CheckExact(s))
        return 1;
    if (PyUnicode_IS_COMPACT_ASCII(s)) { /* its bytes are its UTF-8 */
        u = PyUnicode_1BYTE_DATA(s);
        n = PyUnicode_GET_LENGTH(s);
    }
    else {
        u = (const unsigned char *)PyUnicode_AsUTF8AndSize(s, &n);
        if (u == NULL) {
            PyErr_Clear();
            return 1;
        }
    }
    if (ej_reserve(b, 6 * n + 2) < 0)
        return -1;
    o = b->buf + b->len;
    *o++ = '"';
    while (i < n) {
        unsigned char c;
        /* eight bytes at a time while none of them is escaped */
        while (i + 8 <= n) {
            uint64_t x;
            memcpy(&x, u + i, 8);
            if (ej_escapes(x))
                break;
            memcpy(o, &x, 8);
            o += 8;
            i += 8;
        }
        if (i >= n)
            break;
        c = u[i++];
        if (!ej_esc[c]) {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\t': *o++ = 't'; break;
        case '\n': *o++ = 'n'; break;
        case '\f': *o++ = 'f'; break;
        case '\r': *o++ = 'r'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    b->len = o - b->buf;
    return 0;
}

/* An int as orjson writes it (decimal); 1: not an exact int of 64 bits. */
static int
ej_int(ej_buf *b, PyObject *o)
{
    char num[32], *p = num + sizeof num;
    long long v;
    unsigned long long m;
    Py_ssize_t n;
    if (!PyLong_CheckExact(o))
        return 1;
    v = PyLong_AsLongLong(o);
    if (v == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 1;
    }
    m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0)
        *--p = '-';
    n = num + sizeof num - p;
    if (ej_reserve(b, n) < 0)
        return -1;
    memcpy(b->buf + b->len, p, (size_t)n);
    b->len += n;
    return 0;
}

static inline int
ej_put(ej_buf *b, const char *s, Py_ssize_t n)
{
    if (ej_reserve(b, n) < 0)
        return -1;
    memcpy(b->buf + b->len, s, (size_t)n);
    b->len += n;
    return 0;
}

/* The JSON of the strings written so far by one evidence_json call, by
 * identity: facets, labels, rule ids and field names repeat from item to item
 * (the rows hold them, so no address is reused during the call). */
#define EJ_SEEN 64
typedef struct {
    PyObject *s;
    Py_ssize_t off, len;
} ej_seen;

static int
ej_str_seen(ej_buf *b, ej_seen *seen, PyObject *s)
{
    ej_seen *e = &seen[((uintptr_t)s >> 4) & (EJ_SEEN - 1)];
    Py_ssize_t off;
    int rc;
    if (e->s == s) {
        if (ej_reserve(b, e->len) < 0)
            return -1;
        memcpy(b->buf + b->len, b->buf + e->off, (size_t)e->len);
        b->len += e->len;
        return 0;
    }
    off = b->len;
    rc = ej_str(b, s);
    if (rc == 0) {
        e->s = s;
        e->off = off;
        e->len = b->len - off;
    }
    return rc;
}

/* evidence_json(keys, evidence): the bytes orjson.dumps gives for
 * [dict(zip(keys, e)) for e in evidence] when every e is a tuple of
 * str, str, str, str, int, int, str (as Evidence is), else None. */
static PyObject *
evidence_json(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *keys, *rows, *result = NULL;
    Py_ssize_t n, i, k;
    ej_buf b = {NULL, 0, 0}, kb = {NULL, 0, 0};
    Py_ssize_t koff[8];
    static const int kind[7] = {2, 2, 2, 2, 1, 1, 0}; /* 2: a str that repeats, 1: an int */
    ej_seen seen[EJ_SEEN];
    int rc = 0;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "evidence_json(keys, evidence) takes 2 arguments");
        return NULL;
    }
    keys = args[0];
    rows = args[1];
    if (!PyTuple_Check(keys) || PyTuple_GET_SIZE(keys) != 7 || !PyList_Check(rows)) {
        PyErr_SetString(PyExc_TypeError, "evidence_json: keys must be a tuple of 7 str and evidence a list");
        return NULL;
    }
    /* the keys written once: {"k0": ,"k1": ... */
    for (k = 0; k < 7; k++) {
        koff[k] = kb.len;
        if (ej_put(&kb, k ? "," : "{", 1) < 0)
            goto done;
        rc = ej_str(&kb, PyTuple_GET_ITEM(keys, k));
        if (rc != 0 || ej_put(&kb, ":", 1) < 0) {
            if (rc > 0)
                PyErr_SetString(PyExc_TypeError, "evidence_json: keys must be str");
            goto done;
        }
    }
    koff[7] = kb.len;
    memset(seen, 0, sizeof seen);
    n = PyList_GET_SIZE(rows);
    if (ej_reserve(&b, 192 * n + 2) < 0 || ej_put(&b, "[", 1) < 0) /* an item is about 150 bytes */
        goto done;
    for (i = 0; i < n && rc == 0; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 7) {
            rc = 1;
            break;
        }
        if (i && ej_put(&b, ",", 1) < 0)
            goto done;
        for (k = 0; k < 7 && rc == 0; k++) {
            if (ej_put(&b, kb.buf + koff[k], koff[k + 1] - koff[k]) < 0)
                goto done;
            rc = kind[k] == 1   ? ej_int(&b, PyTuple_GET_ITEM(row, k))
                 : kind[k] == 2 ? ej_str_seen(&b, seen, PyTuple_GET_ITEM(row, k))
                                : ej_str(&b, PyTuple_GET_ITEM(row, k));
            if (rc < 0)
                goto done;
        }
        if (rc == 0 && ej_put(&b, "}", 1) < 0)
            goto done;
    }
    if (rc == 0 && ej_put(&b, "]", 1) < 0)
        goto done;
    if (rc == 1) {
        Py_INCREF(Py_None);
        result = Py_None;
    }
    else
        result = PyBytes_FromStringAndSize(b.buf, b.len);
done:
    PyMem_Free(b.buf);
    PyMem_Free(kb.buf);
    return result;
}

/* -------------------------------------------------------------------------
 * Module
 * ---------------------------------------------------------------------- */

/* -------------------------------------------------------------------------
 * Two helpers of the claims module (papertriage.claims), each the twin of a
 * regular expression there
 * ---------------------------------------------------------------------- */

static inline int
cw_digit(Py_UCS4 c)
{
    return c >= '0' && c <= '9';
}

/* number_spans(text) -> [(start, end), ...]: the spans of
 * [0-9](?:[0-9]|[,.](?=[0-9]))* as finditer gives them. */
static PyObject *
number_spans(PyObject *Py_UNUSED(module), PyObject *text)
{
    Py_ssize_t n, i = 0, s;
    int kind;
    const void *data;
    PyObject *out;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "number_spans: text must be a str");
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return NULL;
#endif
    n = PyUnicode_GET_LENGTH(text);
    kind = PyUnicode_KIND(text);
    data = PyUnicode_DATA(text);
    out = PyList_New(0);
    if (out == NULL)
        return NULL;
    while (i < n) {
        if (kind == PyUnicode_1BYTE_KIND) {
            const Py_UCS1 *p = (const Py_UCS1 *)data;
            while (i < n && !cw_digit(p[i]))
                i++;
        }
        else
            while (i < n && !cw_digit(PyUnicode_READ(kind, data, i)))
                i++;
        if (i >= n)
            break;
        s = i++;
        while (i < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (cw_digit(c))
                i++;
            else if ((c == ',' || c == '.') && i + 1 < n && cw_digit(PyUnicode_READ(kind, data, i + 1)))
                i += 2;
            else
                break;
        }
        if (append_pair(out, s, i) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

static inline int
cw_symbol(Py_UCS4 c)
{
    switch (c) {
    case '~': case '<': case '>': case '=': case '+': case '(':
    case 0x2248: /* ≈ */
    case 0x2264: /* ≤ */
    case 0x2265: /* ≥ */
    case 0x00B1: /* ± */
        return 1;
    default:
        return 0;
    }
}

/* A window of a text: the arguments (text, pos, endpos) of the scans below
 * that stand in for re's search and finditer, with pos and endpos adjusted
 * as the re module adjusts them. */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t end; /* endpos: the text ends here for the pattern */
} wm_text;

static inline Py_UCS4
wm_at(const wm_text *t, Py_ssize_t i)
{
    return PyUnicode_READ(t->kind, t->data, i);
}

static int
text_window(PyObject *const *args, Py_ssize_t nargs, const char *name, wm_text *t, Py_ssize_t *a)
{
    PyObject *text;
    Py_ssize_t n, b;
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError, "%s(text, pos, endpos) takes 3 arguments", name);
        return -1;
    }
    text = args[0];
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "%s: text must be a str", name);
        return -1;
    }
    if (as_ssize(args[1], a) < 0 || as_ssize(args[2], &b) < 0)
        return -1;
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return -1;
#endif
    n = PyUnicode_GET_LENGTH(text);
    *a = *a < 0 ? 0 : *a > n ? n : *a;
    t->end = b < 0 ? 0 : b > n ? n : b;
    t->kind = PyUnicode_KIND(text);
    t->data = PyUnicode_DATA(text);
    return 0;
}

/* word_tokens(text, pos, endpos) -> [str, ...]: what
 * re.compile(r"[a-z][\w\-']*|[~<>=+≈≤≥±(]").findall(text, pos, endpos)
 * gives (\w as the re module has it for str: alphanumeric or "_"). */
static PyObject *
word_tokens(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *text = nargs > 0 ? args[0] : NULL, *out;
    Py_ssize_t a, b, i, s;
    wm_text t;
    int kind;
    const void *data;
    if (text_window(args, nargs, "word_tokens", &t, &a) < 0)
        return NULL;
    b = t.end;
    kind = t.kind;
    data = t.data;
    out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (i = a; i < b;) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        PyObject *w;
        if (c >= 'a' && c <= 'z') {
            s = i++;
            while (i < b) {
                c = PyUnicode_READ(kind, data, i);
                if (c < 128 ? ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                               c == '-' || c == '\'')
                            : Py_UNICODE_ISALNUM(c))
                    i++;
                else
                    break;
            }
        }
        else if (cw_symbol(c))
            s = i++;
        else {
            i++;
            continue;
        }
        w = PyUnicode_Substring(text, s, i);
        if (w == NULL || PyList_Append(out, w) < 0) {
            Py_XDECREF(w);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(w);
    }
    return out;
}

/* ascii_words(texts, found) -> [str, ...]: for the ASCII texts of the list,
 * adds to the set `found` their words as library_search.vocabulary_words
 * keeps them (runs of letters and digits, in lower case, without a digit);
 * returns the other texts, for the caller to read. A word is made a str
 * once per call: the words seen are kept in a hash table of their places
 * in the texts (which the list keeps alive). */
typedef struct {
    const Py_UCS1 *p; /* NULL: free */
    Py_ssize_t len;
    uint32_t hash;
} aw_slot;

static inline Py_UCS1
aw_lower(Py_UCS1 c)
{
    return (Py_UCS1)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static int
aw_grow(aw_slot **tab, size_t *size)
{
    size_t n = *size * 2, i, j;
    aw_slot *t = PyMem_Calloc(n, sizeof(aw_slot));
    if (t == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < *size; i++)
        if ((*tab)[i].p != NULL) {
            for (j = (*tab)[i].hash & (n - 1); t[j].p != NULL; j = (j + 1) & (n - 1))
                ;
            t[j] = (*tab)[i];
        }
    PyMem_Free(*tab);
    *tab = t;
    *size = n;
    return 0;
}

static PyObject *
ascii_words(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *texts, *found, *rest;
    Py_ssize_t t, nt;
    size_t size = 1024, used = 0;
    aw_slot *tab;
    if (nargs != 2 || !PyList_Check(args[0]) || !PySet_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "ascii_words(texts, found) takes a list and a set");
        return NULL;
    }
    texts = args[0];
    found = args[1];
    tab = PyMem_Calloc(size, sizeof(aw_slot));
    rest = PyList_New(0);
    if (tab == NULL || rest == NULL) {
        PyMem_Free(tab);
        Py_XDECREF(rest);
        return PyErr_NoMemory();
    }
    nt = PyList_GET_SIZE(texts);
    for (t = 0; t < nt; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        const Py_UCS1 *p;
        Py_ssize_t n, i = 0;
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "ascii_words: the texts must be str");
            goto error;
        }
        if (!PyUnicode_IS_ASCII(text)) {
            if (PyList_Append(rest, text) < 0)
                goto error;
            continue;
        }
        p = PyUnicode_1BYTE_DATA(text);
        n = PyUnicode_GET_LENGTH(text);
        while (i < n) {
            Py_ssize_t s, k, len;
            uint32_t h = WT_HASH_START;
            size_t j;
            int digit = 0;
            PyObject *w;
            Py_UCS1 *o;
            while (i < n && !ac_raw_sym[p[i]])
                i++;
            s = i;
            while (i < n && ac_raw_sym[p[i]]) {
                digit |= p[i] >= '0' && p[i] <= '9';
                h = wt_hash_step(h, aw_lower(p[i]));
                i++;
            }
            len = i - s;
            if (len == 0 || digit)
                continue;
            for (j = h & (size - 1); tab[j].p != NULL; j = (j + 1) & (size - 1)) {
                if (tab[j].hash == h && tab[j].len == len) {
                    for (k = 0; k < len && aw_lower(tab[j].p[k]) == aw_lower(p[s + k]); k++)
                        ;
                    if (k == len)
                        break;
                }
            }
            if (tab[j].p != NULL)
                continue; /* seen in this call */
            tab[j].p = p + s;
            tab[j].len = len;
            tab[j].hash = h;
            if (++used * 2 > size && aw_grow(&tab, &size) < 0)
                goto error;
            w = PyUnicode_New(len, 127);
            if (w == NULL)
                goto error;
            o = PyUnicode_1BYTE_DATA(w);
            for (k = s; k < i; k++)
                *o++ = aw_lower(p[k]);
            if (PySet_Add(found, w) < 0) {
                Py_DECREF(w);
                goto error;
            }
            Py_DECREF(w);
        }
    }
    PyMem_Free(tab);
    return rest;
error:
    PyMem_Free(tab);
    Py_DECREF(rest);
    return NULL;
}

/* -------------------------------------------------------------------------
 * Word lists of the claims (claims._vocab): what their regular expressions
 * find, by the same backtracking order
 * ---------------------------------------------------------------------- */

/* A WordMatcher stands for one of two regular expressions that the claims
 * build from a list of words, and gives the spans re's finditer(text, pos,
 * endpos) gives:
 *
 *   trie:     (?<!NB)(?:<claims._trie_regex(words)>)SUFFIX
 *             (a space or hyphen of a word matches [\s\-]?; the children of a
 *             node are tried in sorted order, the separator first; a word
 *             that ends at a node is tried after its longer continuations)
 *   ordered:  (?<!NB)(?:w0|w1|...)SUFFIX     (literal words, tried in order)
 *
 * NB is [\w<not_before>] (none when not_before is None) and SUFFIX one of
 *   WM_METRIC   (?:e?s)?(?![\w@]|-[A-Za-z])
 *   WM_PLURAL   s?(?![\w\-])
 *   WM_WORD     (?![\w\-])
 * \w and \s as the re module has them for str patterns. */

#define WM_SEP 0 /* the separator edge of a trie node: [\s\-]? */
enum { WM_METRIC, WM_PLURAL, WM_WORD };

typedef struct {
    Py_UCS4 ch;
    int32_t child;
} wm_edge;

typedef struct {
    int32_t first, count; /* edges[first : first + count], sorted by ch */
    int32_t terminal;
} wm_node;

typedef struct {
    PyObject_HEAD
    PyObject *args;  /* (words, ordered, not_before, suffix): for pickling */
    int ordered;
    int suffix;
    int look_behind;
    Py_UCS4 *nb_extra; /* characters of NB besides \w */
    Py_ssize_t nb_n;
    wm_node *nodes; /* trie: node 0 is the root */
    wm_edge *edges;
    int32_t nnodes;
    Py_UCS4 *chars;  /* ordered: the words' characters, one after another */
    Py_ssize_t *wstart; /* ordered: word k is chars[wstart[k] : wstart[k + 1]] */
    Py_ssize_t nwords;
    unsigned char first[128]; /* ASCII characters a match can start with */
    int first_other;          /* a match can start with a non-ASCII character */
} WordMatcher;

static PyTypeObject WordMatcher_Type;


static inline int
wm_is_word(Py_UCS4 c)
{
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return Py_UNICODE_ISALNUM(c);
}

static inline int
wm_is_space(Py_UCS4 c)
{
    if (c < 128)
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    return Py_UNICODE_ISSPACE(c);
}

/* The look-ahead after the suffix, at q. */
static inline int
wm_boundary(const WordMatcher *m, const wm_text *t, Py_ssize_t q)
{
    Py_UCS4 c;
    if (q >= t->end)
        return 1;
    c = wm_at(t, q);
    if (wm_is_word(c))
        return 0;
    if (m->suffix == WM_METRIC) {
        if (c == '@')
            return 0;
        if (c == '-' && q + 1 < t->end) {
            Py_UCS4 d = wm_at(t, q + 1);
            return !((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z'));
        }
        return 1;
    }
    return c != '-';
}

/* End of the suffix and look-ahead after a word ending at p, or -1. */
static Py_ssize_t
wm_suffix(const WordMatcher *m, const wm_text *t, Py_ssize_t p)
{
    if (m->suffix == WM_METRIC && p + 1 < t->end && wm_at(t, p) == 'e' && wm_at(t, p + 1) == 's' &&
        wm_boundary(m, t, p + 2))
        return p + 2;
    if (m->suffix != WM_WORD && p < t->end && wm_at(t, p) == 's' && wm_boundary(m, t, p + 1))
        return p + 1;
    return wm_boundary(m, t, p) ? p : -1;
}

static Py_ssize_t
wm_walk(const WordMatcher *m, const wm_text *t, int32_t node, Py_ssize_t p)
{
    const wm_node *nd = &m->nodes[node];
    const wm_edge *e = m->edges + nd->first, *stop = e + nd->count;
    Py_ssize_t r;
    Py_UCS4 c = p < t->end ? wm_at(t, p) : 0;
    if (e < stop && e->ch == WM_SEP) {
        if (p < t->end && (c == '-' || wm_is_space(c)) && (r = wm_walk(m, t, e->child, p + 1)) >= 0)
            return r;
        if ((r = wm_walk(m, t, e->child, p)) >= 0)
            return r;
        e++;
    }
    if (p < t->end) {
        for (; e < stop; e++) {
            if (e->ch == c) {
                if ((r = wm_walk(m, t, e->child, p + 1)) >= 0)
                    return r;
                break;
            }
            if (e->ch > c)
                break;
        }
    }
    return nd->terminal ? wm_suffix(m, t, p) : -1;
}

/* End of the match starting at p, or -1. */
static Py_ssize_t
wm_match(const WordMatcher *m, const wm_text *t, Py_ssize_t p)
{
    Py_UCS4 c = wm_at(t, p);
    if (c < 128 ? !m->first[c] : !m->first_other)
        return -1;
    if (m->look_behind && p > 0) {
        Py_UCS4 b = wm_at(t, p - 1);
        Py_ssize_t k;
        if (wm_is_word(b))
            return -1;
        for (k = 0; k < m->nb_n; k++)
            if (m->nb_extra[k] == b)
                return -1;
    }
    if (!m->ordered)
        return wm_walk(m, t, 0, p);
    for (Py_ssize_t w = 0; w < m->nwords; w++) {
        Py_ssize_t a = m->wstart[w], len = m->wstart[w + 1] - a, k, r;
        if (p + len > t->end || m->chars[a] != c)
            continue;
        for (k = 1; k < len && wm_at(t, p + k) == m->chars[a + k]; k++)
            ;
        if (k == len && (r = wm_suffix(m, t, p + len)) >= 0)
            return r;
    }
    return -1;
}

/* finditer(text, pos, endpos) -> [(start, end), ...] */
static PyObject *
WordMatcher_finditer(WordMatcher *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *out;
    wm_text t;
    Py_ssize_t p, r;
    if (text_window(args, nargs, "finditer", &t, &p) < 0)
        return NULL;
    out = PyList_New(0);
    if (out == NULL)
        return NULL;
    while (p < t.end) {
        r = wm_match(self, &t, p);
        if (r < 0) {
            p++;
            continue;
        }
        if (append_pair(out, p, r) < 0) {
            Py_DECREF(out);
            return NULL;
        }
        p = r > p ? r : p + 1;
    }
    return out;
}

/* search(text, pos, endpos) -> (start, end) or None */
static PyObject *
WordMatcher_search(WordMatcher *self, PyObject *const *args, Py_ssize_t nargs)
{
    wm_text t;
    Py_ssize_t p, r;
    if (text_window(args, nargs, "search", &t, &p) < 0)
        return NULL;
    for (; p < t.end; p++)
        if ((r = wm_match(self, &t, p)) >= 0)
            return Py_BuildValue("(nn)", p, r);
    Py_RETURN_NONE;
}

static void
WordMatcher_dealloc(WordMatcher *self)
{
    Py_XDECREF(self->args);
    PyMem_Free(self->nb_extra);
    PyMem_Free(self->nodes);
    PyMem_Free(self->edges);
    PyMem_Free(self->chars);
    PyMem_Free(self->wstart);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
wm_edge_cmp(const void *x, const void *y)
{
    Py_UCS4 a = ((const wm_edge *)x)->ch, b = ((const wm_edge *)y)->ch;
    return a < b ? -1 : a > b;
}

static void
wm_first(WordMatcher *m, Py_UCS4 c)
{
    if (c < 128)
        m->first[c] = 1;
    else
        m->first_other = 1;
}

/* The trie of the words, its edges sorted. Built with a child list per node
 * (edges linked through `child` of a scratch array), then laid out by node. */
static int
wm_build_trie(WordMatcher *m, PyObject *words, Py_ssize_t nw)
{
    Py_ssize_t total = 1, i, k;
    int32_t *head, *next, *target, nn = 1, ne = 0;
    Py_UCS4 *ech;
    int rc = -1;
    for (i = 0; i < nw; i++)
        total += PyUnicode_GET_LENGTH(PyList_GET_ITEM(words, i));
    if (total > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "WordMatcher: too many characters");
        return -1;
    }
    head = PyMem_Malloc(total * sizeof(int32_t));
    next = PyMem_Malloc(total * sizeof(int32_t));
    target = PyMem_Malloc(total * sizeof(int32_t));
    ech = PyMem_Malloc(total * sizeof(Py_UCS4));
    m->nodes = PyMem_Calloc(total, sizeof(wm_node));
    m->edges = PyMem_Malloc(total * sizeof(wm_edge));
    if (!head || !next || !target || !ech || !m->nodes || !m->edges) {
        PyErr_NoMemory();
        goto done;
    }
    head[0] = -1;
    for (i = 0; i < nw; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        Py_ssize_t len = PyUnicode_GET_LENGTH(w);
        int kind = PyUnicode_KIND(w);
        const void *data = PyUnicode_DATA(w);
        int32_t node = 0;
        for (k = 0; k < len; k++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, k);
            int32_t e;
            if (c == ' ' || c == '-')
                c = WM_SEP;
            for (e = head[node]; e >= 0 && ech[e] != c; e = next[e])
                ;
            if (e < 0) {
                e = ne++;
                ech[e] = c;
                target[e] = nn;
                next[e] = head[node];
                head[node] = e;
                head[nn++] = -1;
            }
            node = target[e];
        }
        m->nodes[node].terminal = 1;
    }
    for (int32_t v = 0, out = 0; v < nn; v++) {
        m->nodes[v].first = out;
        for (int32_t e = head[v]; e >= 0; e = next[e]) {
            m->edges[out].ch = ech[e];
            m->edges[out].child = target[e];
            out++;
        }
        m->nodes[v].count = out - m->nodes[v].first;
        qsort(m->edges + m->nodes[v].first, (size_t)m->nodes[v].count, sizeof(wm_edge), wm_edge_cmp);
    }
    m->nnodes = nn;
    for (int32_t e = 0; e < m->nodes[0].count; e++) {
        wm_edge *ed = &m->edges[m->nodes[0].first + e];
        if (ed->ch == WM_SEP) /* a word starting with a separator: any start */
            memset(m->first, 1, sizeof m->first), m->first_other = 1;
        else
            wm_first(m, ed->ch);
    }
    rc = 0;
done:
    PyMem_Free(head);
    PyMem_Free(next);
    PyMem_Free(target);
    PyMem_Free(ech);
    return rc;
}

static int
wm_build_ordered(WordMatcher *m, PyObject *words, Py_ssize_t nw)
{
    Py_ssize_t total = 0, i, k, at = 0;
    for (i = 0; i < nw; i++)
        total += PyUnicode_GET_LENGTH(PyList_GET_ITEM(words, i));
    m->chars = PyMem_Malloc((total + 1) * sizeof(Py_UCS4));
    m->wstart = PyMem_Malloc((nw + 1) * sizeof(Py_ssize_t));
    if (!m->chars || !m->wstart) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < nw; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        Py_ssize_t len = PyUnicode_GET_LENGTH(w);
        m->wstart[i] = at;
        for (k = 0; k < len; k++)
            m->chars[at++] = PyUnicode_READ_CHAR(w, k);
        wm_first(m, m->chars[m->wstart[i]]);
    }
    m->wstart[nw] = at;
    m->nwords = nw;
    return 0;
}

static PyObject *
WordMatcher_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"words", "ordered", "not_before", "suffix", NULL};
    PyObject *words_in, *words = NULL, *not_before = Py_None;
    int ordered = 0;
    const char *suffix = "word";
    WordMatcher *self;
    Py_ssize_t nw, i;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|pOs", kwlist, &words_in, &ordered, &not_before, &suffix))
        return NULL;
    if (not_before != Py_None && !PyUnicode_Check(not_before)) {
        PyErr_SetString(PyExc_TypeError, "WordMatcher: not_before must be a str or None");
        return NULL;
    }
    words = PySequence_List(words_in);
    if (words == NULL)
        return NULL;
    nw = PyList_GET_SIZE(words);
    for (i = 0; i < nw; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        Py_ssize_t k, len;
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "WordMatcher: every word must be a str");
            goto fail;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(w) < 0)
            goto fail;
#endif
        /* a word that can match nothing at all would need re's rules for empty matches */
        len = PyUnicode_GET_LENGTH(w);
        for (k = 0; k < len && !ordered; k++) {
            Py_UCS4 c = PyUnicode_READ_CHAR(w, k);
            if (c != ' ' && c != '-')
                break;
        }
        if (len == 0 || k == len) {
            PyErr_Format(PyExc_ValueError, "WordMatcher: the word %R can match the empty string", w);
            goto fail;
        }
    }
    self = (WordMatcher *)type->tp_alloc(type, 0);
    if (self == NULL)
        goto fail;
    if (strcmp(suffix, "metric") == 0)
        self->suffix = WM_METRIC;
    else if (strcmp(suffix, "plural") == 0)
        self->suffix = WM_PLURAL;
    else if (strcmp(suffix, "word") == 0)
        self->suffix = WM_WORD;
    else {
        PyErr_Format(PyExc_ValueError, "WordMatcher: unknown suffix %s (metric, plural or word)", suffix);
        goto fail_self;
    }
    self->ordered = ordered;
    self->args = Py_BuildValue("(OiOs)", words, ordered, not_before, suffix);
    if (self->args == NULL)
        goto fail_self;
    if (not_before != Py_None) {
        self->look_behind = 1;
        self->nb_n = PyUnicode_GET_LENGTH(not_before);
        self->nb_extra = PyMem_Malloc((self->nb_n + 1) * sizeof(Py_UCS4));
        if (self->nb_extra == NULL) {
            PyErr_NoMemory();
            goto fail_self;
        }
        for (i = 0; i < self->nb_n; i++)
            self->nb_extra[i] = PyUnicode_READ_CHAR(not_before, i);
    }
    if ((ordered ? wm_build_ordered(self, words, nw) : wm_build_trie(self, words, nw)) < 0)
        goto fail_self;
    Py_DECREF(words);
    return (PyObject *)self;
fail_self:
    Py_DECREF(self);
fail:
    Py_DECREF(words);
    return NULL;
}

static PyObject *
WordMatcher_reduce(WordMatcher *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(OO)", (PyObject *)Py_TYPE(self), self->args);
}

static PyMethodDef WordMatcher_methods[] = {
    {"finditer", (PyCFunction)(void (*)(void))WordMatcher_finditer, METH_FASTCALL,
     "finditer(text, pos, endpos) -> [(start, end), ...]: the spans of the pattern's finditer"},
    {"search", (PyCFunction)(void (*)(void))WordMatcher_search, METH_FASTCALL,
     "search(text, pos, endpos) -> (start, end) or None: the span of the pattern's search"},
    {"__reduce__", (PyCFunction)WordMatcher_reduce, METH_NOARGS, "Pickled as its arguments."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WordMatcher_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "papertriage._fastcore.WordMatcher",
    .tp_basicsize = sizeof(WordMatcher),
    .tp_dealloc = (destructor)WordMatcher_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "WordMatcher(words, ordered=False, not_before=None, suffix='word')\n\n"
              "The spans of (?<![\\w<not_before>])(?:<words>)<suffix> as re finds them, where <words> is\n"
              "claims._trie_regex(words) (ordered=False) or the literal words tried in order (ordered=True),\n"
              "and suffix is 'metric' ((?:e?s)?(?![\\w@]|-[A-Za-z])), 'plural' (s?(?![\\w\\-])) or\n"
              "'word' ((?![\\w\\-])). not_before=None: no look-behind. A word must not be able to match\n"
              "the empty string (a word of spaces and hyphens in a trie).",
    .tp_methods = WordMatcher_methods,
    .tp_new = WordMatcher_new,
};

/* The clause stops of the claims (claims._RIGHT_STOP, claims._LEFT_STOP). */
static inline int
stop_word_at(const wm_text *t, Py_ssize_t q, const char *w)
{
    for (; *w; w++, q++)
        if (q >= t->end || wm_at(t, q) != (Py_UCS4)(unsigned char)*w)
            return 0;
    return 1;
}

/* End of "(?:and|or|but[|nor])\s|-{1,2}\s|—" at q, or -1. */
static Py_ssize_t
stop_after_space(const wm_text *t, Py_ssize_t q, int nor)
{
    static const char *const words[] = {"and", "or", "but", "nor"};
    for (int k = 0; k < 3 + nor; k++) {
        Py_ssize_t len = (Py_ssize_t)strlen(words[k]);
        if (stop_word_at(t, q, words[k]) && q + len < t->end && wm_is_space(wm_at(t, q + len)))
            return q + len + 1;
    }
    if (q < t->end && wm_at(t, q) == 0x2014) /* — */
        return q + 1;
    if (q < t->end && wm_at(t, q) == '-') {
        if (q + 2 < t->end && wm_at(t, q + 1) == '-' && wm_is_space(wm_at(t, q + 2)))
            return q + 3;
        if (q + 1 < t->end && wm_is_space(wm_at(t, q + 1)))
            return q + 2;
    }
    return -1;
}

/* End of _LEFT_STOP at p, or -1. */
static Py_ssize_t
left_stop_at(const wm_text *t, Py_ssize_t p)
{
    Py_UCS4 c = wm_at(t, p);
    Py_ssize_t q;
    if (c == ';' || c == ':')
        return p + 1;
    if (c == ',') {
        for (q = p + 1; q < t->end && wm_is_space(wm_at(t, q)); q++)
            ;
        if (stop_word_at(t, q, "respectively") || stop_word_at(t, q, "e.g") || stop_word_at(t, q, "i.e"))
            return -1;
        return p + 1;
    }
    return wm_is_space(c) ? stop_after_space(t, p + 1, 0) : -1;
}

/* right_stop(text, pos, endpos) -> the start of claims._RIGHT_STOP.search, or -1 */
static PyObject *
right_stop(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    wm_text t;
    Py_ssize_t p;
    if (text_window(args, nargs, "right_stop", &t, &p) < 0)
        return NULL;
    for (; p < t.end; p++) {
        Py_UCS4 c = wm_at(&t, p);
        if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')' ||
            (wm_is_space(c) && stop_after_space(&t, p + 1, 1) >= 0))
            return PyLong_FromSsize_t(p);
    }
    return PyLong_FromLong(-1);
}

/* last_left_stop(text, pos, endpos) -> the end of the last match of
 * claims._LEFT_STOP.finditer, or -1 */
static PyObject *
last_left_stop(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    wm_text t;
    Py_ssize_t p, r, last = -1;
    if (text_window(args, nargs, "last_left_stop", &t, &p) < 0)
        return NULL;
    while (p < t.end) {
        r = left_stop_at(&t, p);
        if (r < 0)
            p++;
        else
            p = last = r;
    }
    return PyLong_FromSsize_t(last);
}

static PyMethodDef module_methods[] = {
    {"scan_automaton", (PyCFunction)(void (*)(void))scan_automaton, METH_FASTCALL,
     "scan_automaton(automaton, values, out, text, normalise, normalise_cased)\n\n"
     "Append the automaton's occurrences in text to out[facet], as Tables._scan_automaton does\n"
     "(automaton: an Automaton, or pyahocorasick's)."},
    {"scan_patterns", (PyCFunction)(void (*)(void))scan_patterns, METH_FASTCALL,
     "scan_patterns(text, patterns, out)\n\n"
     "Append the occurrences of the regular-expression rules in text to out[facet], as\n"
     "Tables._scan_patterns does (patterns: (lazy pattern, facet, rank, entry, start literals,\n"
     "required literal, its gate character, width) tuples)."},
    {"evidence_json", (PyCFunction)(void (*)(void))evidence_json, METH_FASTCALL,
     "evidence_json(keys, evidence)\n\n"
     "The bytes orjson.dumps gives for [dict(zip(keys, e)) for e in evidence] (Evidence tuples),\n"
     "or None where an item is not a str or int of the Evidence shape or a str holds a surrogate."},
    {"number_spans", (PyCFunction)number_spans, METH_O,
     "number_spans(text) -> [(start, end), ...]\n\n"
     "The spans of the numbers of text (claims._NUMBER: [0-9](?:[0-9]|[,.](?=[0-9]))*)."},
    {"word_tokens", (PyCFunction)(void (*)(void))word_tokens, METH_FASTCALL,
     "word_tokens(text, pos, endpos) -> [str, ...]\n\n"
     "claims._WORD.findall(text, pos, endpos): words from a lower-case letter on, and some symbols."},
    {"ascii_words", (PyCFunction)(void (*)(void))ascii_words, METH_FASTCALL,
     "ascii_words(texts, found) -> [str, ...]\n\n"
     "Adds the spelling vocabulary of the ASCII texts to the set found (library_search.vocabulary_words);\n"
     "returns the other texts."},
    {"right_stop", (PyCFunction)(void (*)(void))right_stop, METH_FASTCALL,
     "right_stop(text, pos, endpos) -> int\n\n"
     "The start of claims._RIGHT_STOP.search(text, pos, endpos), or -1."},
    {"last_left_stop", (PyCFunction)(void (*)(void))last_left_stop, METH_FASTCALL,
     "last_left_stop(text, pos, endpos) -> int\n\n"
     "The end of the last match of claims._LEFT_STOP.finditer(text, pos, endpos), or -1."},
    {"new_struct", (PyCFunction)(void (*)(void))new_struct, METH_FASTCALL,
     "new_struct(cls, fields, *values)\n\n"
     "A new cls (allocated, not initialised) with each field descriptor (a member of its __slots__)\n"
     "set to its value, as object.__setattr__(obj, name, value) would set it."},
    {"rows_as_dicts", (PyCFunction)(void (*)(void))rows_as_dicts, METH_FASTCALL,
     "rows_as_dicts(keys, rows)\n\n"
     "[dict(zip(keys, row)) for row in rows] (rows: a list of tuples exactly as long as keys)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastcore_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "papertriage._fastcore",
    .m_doc = "Optional C core of papertriage's tagging loops (same results as the pure-Python code).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__fastcore(void)
{
    PyObject *m;
    init_ascii_table();
    init_ac_tables();
    init_ej_table();
    init_sp_table();
    if ((sp_str_rx = PyUnicode_InternFromString("rx")) == NULL ||
        (sp_str_compile = PyUnicode_InternFromString("compile")) == NULL ||
        (sp_str_match = PyUnicode_InternFromString("match")) == NULL ||
        (sp_str_finditer = PyUnicode_InternFromString("finditer")) == NULL ||
        (sp_str_span = PyUnicode_InternFromString("span")) == NULL ||
        (sp_str_lower = PyUnicode_InternFromString("lower")) == NULL)
        return NULL;
    {
        static struct {
            const char *name;
            PyTypeObject *type;
        } types[] = {{"TagCore", &TagCore_Type}, {"Automaton", &Automaton_Type}, {"WordMatcher", &WordMatcher_Type},
                     {"OccList", &OccList_Type}};
        size_t k;
        for (k = 0; k < sizeof(types) / sizeof(types[0]); k++)
            if (PyType_Ready(types[k].type) < 0)
                return NULL;
        m = PyModule_Create(&fastcore_module);
        if (m == NULL)
            return NULL;
        for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
            Py_INCREF(types[k].type);
            if (PyModule_AddObject(m, types[k].name, (PyObject *)types[k].type) < 0) {
                Py_DECREF(types[k].type);
                Py_DECREF(m);
                return NULL;
            }
        }
    }
    return m;
}
