/* The BM25 candidates stage's inner loops, compiled: an optional speed-up of knowledge/rank.py.
 *
 * accumulate_spans() adds a field's terms' BM25 weights × query weights into a row's total, computing
 * each weight with the same float32 operations, in the same order, as segmented._Field does in
 * numpy, and adding them in the order np.bincount would (terms in query order, postings in row
 * order; the rows walked in blocks that keep their totals and norms in the cache, each row's
 * terms still in query order): the totals are bit for bit the numpy path's. top() picks the n best rows only when
 * that choice and its order are unique (no two of the n + 1 best totals equal); else it returns
 * None and the caller uses numpy's argpartition on the same totals. containing() is the
 * rerank's sentence lookup (rank._Spans.containing) without a Python step per occurrence.
 * layout() lays out the rerank's spans (rank._layout) and matrix() fills its spans × units
 * matrix (rank._Spans.matrix: _Spans.match per unit, every spelling found through one pass
 * over the text that notes where each spelling's first character occurs). read_rows() reads a
 * search's rows from the row file (rowfile.RowFile.entries) as RowFile.entry makes them.
 *
 * accumulate_span_terms() is accumulate_spans() handed a segment's term ids: it gathers their
 * spans, idf and query weights itself (no numpy call per term list in segmented.py). A
 * posting's row is stored in 16 bits (index format 6): its span (a term's postings with the
 * same row >> 16) gives the high bits.
 *
 * Built by setup.py as an optional extension (no numpy headers: the buffer protocol); without it
 * knowledge/rank.py runs the numpy path, with identical results. Compiled with
 * -ffp-contract=off: a fused multiply-add would round differently from numpy.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <marshal.h>
#ifndef _WIN32
#include <unistd.h>
#endif

static int
get(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, int writable, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (view->itemsize != itemsize && !(view->len == 0)) {
        PyErr_Format(PyExc_TypeError, "%s: items of %zd bytes expected, not %zd", what,
                     itemsize, view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

#define ACCUMULATE_BLOCK 8192   /* rows: 64 kB of totals and 32 kB of norms (divides 65,536) */

/* accumulate_spans()'s loop on raw arrays (see there); sets *bad on a term, span or row out of
 * range. A posting's row is its span's sh[j] << 16 plus its 16 bits r[p]; term t's spans are
 * sb[t]..se[t], span j's postings sf[j]..sf[j + 1]. Returns the postings added, or -1 when out
 * of memory. */
static Py_ssize_t
add_postings(double *out, Py_ssize_t n_out, const uint16_t *r, const uint8_t *f,
             Py_ssize_t n_post, const int64_t *sf, const int32_t *sh, Py_ssize_t n_spans,
             const float *nm, Py_ssize_t n_local, const char *live, Py_ssize_t offset,
             const int64_t *sb, const int64_t *se, const float *w, const double *q,
             Py_ssize_t n_terms, float one, int *bad_out)
{
    int bad = 0;
    Py_ssize_t added = 0;
    for (Py_ssize_t t = 0; t < n_terms && !bad; t++) {
        if (sb[t] < 0 || se[t] > n_spans || sb[t] > se[t]) { bad = 1; break; }
        for (int64_t j = sb[t]; j < se[t]; j++)
            if (sf[j] < 0 || sf[j] > sf[j + 1] || sf[j + 1] > n_post || sh[j] < 0) {
                bad = 1; break;
            }
    }
    if (offset < 0 || offset + n_local > n_out) bad = 1;
    if (bad || n_terms == 0) { *bad_out |= bad; return 0; }
    /* Rows in blocks whose totals and norms stay in the cache (a term's rows are sorted): each
       row still gets its terms in query order, so its sum is the same, bit for bit. A block
       lies in one span. */
    int64_t *at = PyMem_Malloc(sizeof(int64_t) * 2 * n_terms), *span = at + n_terms;
    if (at == NULL) return -1;
    for (Py_ssize_t t = 0; t < n_terms; t++) {
        span[t] = sb[t];
        at[t] = sf[sb[t]];
    }
    for (int64_t block = 0; block < n_local; block += ACCUMULATE_BLOCK) {
        const int64_t high = block >> 16, base = high << 16;
        const int32_t end = (int32_t)((block + ACCUMULATE_BLOCK < n_local ?
                                       block + ACCUMULATE_BLOCK : n_local) - base);
        for (Py_ssize_t t = 0; t < n_terms; t++) {
            int64_t j = span[t], p = at[t];
            while (j < se[t] && sh[j] < high) {     /* spans behind: all their postings added */
                if (p != sf[j + 1]) bad = 1;
                p = sf[++j];
            }
            span[t] = j;
            if (j == se[t] || sh[j] != high) { at[t] = p; continue; }
            const float idf_t = w[t];
            const double qw_t = q[t];
            const int64_t stop = sf[j + 1];
            double *totals = out + offset + base;
            const float *norms = nm + base;
            const char *alive = live ? live + base : NULL;
            for (; p < stop; p++) {
                const int32_t row = r[p];
                if (row >= end) break;
                if (alive && !alive[row]) continue;
                const float freq = (float)f[p];
                const float weight = idf_t * freq * one / (freq + norms[row]);
                totals[row] += (double)weight * qw_t;
                added++;
            }
            at[t] = p;
        }
        if (bad) break;
    }
    for (Py_ssize_t t = 0; t < n_terms && !bad; t++) {   /* (a row beyond the segment's) */
        int64_t j = span[t], p = at[t];
        for (; j < se[t]; p = sf[++j])
            if (p != sf[j + 1]) { bad = 1; break; }
    }
    PyMem_Free(at);
    *bad_out |= bad;
    return added;
}

/* A list's items as int64 (what accumulate_span_terms is handed: term ids), or NULL with an
 * error. */
static int64_t *
int64s_of(PyObject *list, Py_ssize_t *n)
{
    PyObject *seq = PySequence_Fast(list, "a list of ints expected");
    if (seq == NULL) return NULL;
    *n = PySequence_Fast_GET_SIZE(seq);
    int64_t *out = PyMem_Malloc(sizeof(int64_t) * (*n ? *n : 1));
    if (out == NULL) { Py_DECREF(seq); PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < *n; i++) {
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (out[i] == -1 && PyErr_Occurred()) { PyMem_Free(out); Py_DECREF(seq); return NULL; }
    }
    Py_DECREF(seq);
    return out;
}

/* The postings' arrays both accumulate functions read, as buffers. */
typedef struct {
    Py_buffer total, rows, tf, norms, alive, first, high;
    int have_alive, got;
} Arrays;

static void
arrays_release(Arrays *a)
{
    Py_buffer *all[] = {&a->total, &a->rows, &a->tf, &a->norms, &a->alive, &a->first, &a->high};
    for (int i = 0; i < a->got; i++) PyBuffer_Release(all[i]);
    a->got = 0;
}

/* total float64 (written), rows uint16, tf uint8, norms float32, alive bool | None, span_first
 * int64, span_high int32; sizes checked against each other (0 on success, -1 with an error). */
static int
arrays_get(Arrays *a, PyObject *total, PyObject *rows, PyObject *tf, PyObject *norms,
           PyObject *alive, PyObject *first, PyObject *high, const char *what)
{
    a->got = 0;
    a->have_alive = alive != Py_None;
    if (get(total, &a->total, 8, 1, "total") < 0) return -1;
    a->got++;
    if (get(rows, &a->rows, 2, 0, "rows") < 0) goto fail;
    a->got++;
    if (get(tf, &a->tf, 1, 0, "tf") < 0) goto fail;
    a->got++;
    if (get(norms, &a->norms, 4, 0, "norms") < 0) goto fail;
    a->got++;
    if (a->have_alive) {
        if (get(alive, &a->alive, 1, 0, "alive") < 0) goto fail;
    } else if (PyObject_GetBuffer(norms, &a->alive, PyBUF_SIMPLE) < 0) goto fail;  /* (unused) */
    a->got++;
    if (get(first, &a->first, 8, 0, "span_first") < 0) goto fail;
    a->got++;
    if (get(high, &a->high, 4, 0, "span_high") < 0) goto fail;
    a->got++;
    Py_ssize_t n_post = a->rows.len / 2, n_local = a->norms.len / 4, n_spans = a->high.len / 4;
    if (a->tf.len != n_post || (a->have_alive && a->alive.len != n_local) ||
            a->first.len / 8 != n_spans + 1) {
        PyErr_Format(PyExc_ValueError, "%s: arrays of inconsistent sizes", what);
        goto fail;
    }
    return 0;
fail:
    arrays_release(a);
    return -1;
}

static PyObject *
run(Arrays *a, Py_ssize_t offset, const int64_t *sb, const int64_t *se, const float *w,
    const double *q, Py_ssize_t n_terms, float one, const char *what)
{
    int bad = 0;
    Py_ssize_t added = add_postings(
        (double *)a->total.buf, a->total.len / 8, a->rows.buf, a->tf.buf, a->rows.len / 2,
        a->first.buf, a->high.buf, a->high.len / 4, a->norms.buf, a->norms.len / 4,
        a->have_alive ? a->alive.buf : NULL, offset, sb, se, w, q, n_terms, one, &bad);
    if (added < 0) return PyErr_NoMemory();
    if (bad) return PyErr_Format(PyExc_ValueError, "%s: arrays of inconsistent sizes", what);
    return PyLong_FromSsize_t(added);
}

/* accumulate_span_terms(total, rows, tf, norms, alive | None, offset,
 *                       span_ptr: int64[terms + 1], span_first, span_high,
 *                       idf_all: float32[slots], locs: list[int], ats: list[int],
 *                       qweights: list[float], k1_plus_1) -> postings added
 * accumulate_spans() for the terms `locs` of one segment (their spans span_ptr[loc]..
 * span_ptr[loc + 1], their idf idf_all[at], their query weights), gathered here. */
static PyObject *
accumulate_span_terms(PyObject *self, PyObject *args)
{
    PyObject *o_total, *o_rows, *o_tf, *o_norms, *o_alive, *o_ptr, *o_first, *o_high, *o_idf,
        *o_locs, *o_ats, *o_qw, *o_one;
    Py_ssize_t offset;
    if (!PyArg_ParseTuple(args, "OOOOOnOOOOOOOO", &o_total, &o_rows, &o_tf, &o_norms, &o_alive,
                          &offset, &o_ptr, &o_first, &o_high, &o_idf, &o_locs, &o_ats, &o_qw,
                          &o_one))
        return NULL;
    Py_buffer ptr, idf;
    PyObject *result = NULL;
    int64_t *locs = NULL, *ats = NULL, *b = NULL;
    float *w = NULL;
    double *q = NULL;
    Py_ssize_t n, n_ats;
    if (get(o_ptr, &ptr, 8, 0, "span_ptr") < 0) return NULL;
    if (get(o_idf, &idf, 4, 0, "idf_all") < 0) { PyBuffer_Release(&ptr); return NULL; }
    if ((locs = int64s_of(o_locs, &n)) == NULL || (ats = int64s_of(o_ats, &n_ats)) == NULL)
        goto done;
    if (n_ats != n || !PyList_Check(o_qw) || PyList_GET_SIZE(o_qw) != n) {
        PyErr_SetString(PyExc_ValueError, "accumulate_span_terms: locs, ats, qweights differ");
        goto done;
    }
    double one = PyFloat_AsDouble(o_one);
    if (one == -1.0 && PyErr_Occurred()) goto done;
    b = PyMem_Malloc(sizeof(int64_t) * 2 * (n ? n : 1));
    w = PyMem_Malloc(sizeof(float) * (n ? n : 1));
    q = PyMem_Malloc(sizeof(double) * (n ? n : 1));
    if (b == NULL || w == NULL || q == NULL) { PyErr_NoMemory(); goto done; }
    int64_t *e = b + (n ? n : 1);
    const int64_t *sp = ptr.buf;
    const float *all = idf.buf;
    Py_ssize_t n_ptr = ptr.len / 8, n_idf = idf.len / 4;
    for (Py_ssize_t t = 0; t < n; t++) {
        if (locs[t] < 0 || locs[t] + 1 >= n_ptr || ats[t] < 0 || ats[t] >= n_idf) {
            PyErr_SetString(PyExc_ValueError, "accumulate_span_terms: a term out of range");
            goto done;
        }
        b[t] = sp[locs[t]];
        e[t] = sp[locs[t] + 1];
        w[t] = all[ats[t]];
        q[t] = PyFloat_AsDouble(PyList_GET_ITEM(o_qw, t));
        if (q[t] == -1.0 && PyErr_Occurred()) goto done;
    }
    Arrays a;
    if (arrays_get(&a, o_total, o_rows, o_tf, o_norms, o_alive, o_first, o_high,
                   "accumulate_span_terms") < 0)
        goto done;
    result = run(&a, offset, b, e, w, q, n, (float)one, "accumulate_span_terms");
    arrays_release(&a);
done:
    PyMem_Free(b); PyMem_Free(w); PyMem_Free(q);
    PyMem_Free(locs); PyMem_Free(ats);
    PyBuffer_Release(&idf); PyBuffer_Release(&ptr);
    return result;
}

/* accumulate_spans(total: float64[n], rows: uint16[p], tf: uint8[p], norms: float32[rows],
 *                  alive: bool[rows] | None, offset: int, span_first: int64[spans + 1],
 *                  span_high: int32[spans], begins: int64[t], ends: int64[t], idf: float32[t],
 *                  qweights: float64[t], k1_plus_1: float) -> postings added
 * total[offset + row] += (double)(idf * tf * (k1 + 1) / (tf + norms[row])) * qweight for each
 * posting of each term's spans begins[t]..ends[t] (row = span_high[j] << 16 | rows[p]), dead
 * rows (alive false) skipped. */
static PyObject *
accumulate_spans(PyObject *self, PyObject *args)
{
    PyObject *o_total, *o_rows, *o_tf, *o_norms, *o_alive, *o_first, *o_high, *o_begins,
        *o_ends, *o_idf, *o_qw;
    Py_ssize_t offset;
    float one;
    if (!PyArg_ParseTuple(args, "OOOOOnOOOOOOf", &o_total, &o_rows, &o_tf, &o_norms, &o_alive,
                          &offset, &o_first, &o_high, &o_begins, &o_ends, &o_idf, &o_qw, &one))
        return NULL;
    Py_buffer begins, ends, idf, qw;
    PyObject *result = NULL;
    if (get(o_begins, &begins, 8, 0, "begins") < 0) return NULL;
    if (get(o_ends, &ends, 8, 0, "ends") < 0) goto e0;
    if (get(o_idf, &idf, 4, 0, "idf") < 0) goto e1;
    if (get(o_qw, &qw, 8, 0, "qweights") < 0) goto e2;
    Py_ssize_t n_terms = begins.len / 8;
    if (ends.len / 8 != n_terms || idf.len / 4 != n_terms || qw.len / 8 != n_terms) {
        PyErr_SetString(PyExc_ValueError, "accumulate_spans: arrays of inconsistent sizes");
        goto e3;
    }
    Arrays a;
    if (arrays_get(&a, o_total, o_rows, o_tf, o_norms, o_alive, o_first, o_high,
                   "accumulate_spans") < 0)
        goto e3;
    result = run(&a, offset, begins.buf, ends.buf, idf.buf, qw.buf, n_terms, one,
                 "accumulate_spans");
    arrays_release(&a);
e3: PyBuffer_Release(&qw);
e2: PyBuffer_Release(&idf);
e1: PyBuffer_Release(&ends);
e0: PyBuffer_Release(&begins);
    return result;
}

typedef struct { double value; Py_ssize_t row; } Item;

/* a min-heap on value (the root is the smallest of the best kept so far) */
static void
sift_down(Item *heap, Py_ssize_t size, Py_ssize_t at)
{
    for (;;) {
        Py_ssize_t low = at, l = 2 * at + 1, r = l + 1;
        if (l < size && heap[l].value < heap[low].value) low = l;
        if (r < size && heap[r].value < heap[low].value) low = r;
        if (low == at) return;
        Item tmp = heap[at]; heap[at] = heap[low]; heap[low] = tmp;
        at = low;
    }
}

static int
best_first(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    if (x->value != y->value) return x->value > y->value ? -1 : 1;
    return x->row < y->row ? -1 : (x->row > y->row);
}

/* top(total: float64[n], n: int, visible: bool[n] | None) -> list[int] | None
 * The rows with total > 0 (and visible), best first: all of them, ties by row, when there are
 * at most n; else the n best when no two of the n + 1 best totals are equal (None: a tie, which
 * numpy's argpartition would break its own way). */
static PyObject *
top(PyObject *self, PyObject *args)
{
    PyObject *o_total, *o_visible;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OnO", &o_total, &n, &o_visible))
        return NULL;
    if (n < 1) { PyErr_SetString(PyExc_ValueError, "top: n < 1"); return NULL; }
    Py_buffer total, visible;
    int have_visible = o_visible != Py_None;
    if (get(o_total, &total, 8, 0, "total") < 0) return NULL;
    if (have_visible && get(o_visible, &visible, 1, 0, "visible") < 0) {
        PyBuffer_Release(&total);
        return NULL;
    }
    const double *v = (const double *)total.buf;
    const char *vis = have_visible ? (const char *)visible.buf : NULL;
    Py_ssize_t size = total.len / 8, cap = n + 1, kept = 0;
    PyObject *result = NULL;
    if (have_visible && visible.len != size) {
        PyErr_SetString(PyExc_ValueError, "top: visible and total differ in size");
        goto done;
    }
    Item *heap = PyMem_Malloc(sizeof(Item) * cap);
    if (heap == NULL) { PyErr_NoMemory(); goto done; }
    Py_ssize_t i = 0;
    for (; i < size && kept < cap; i++) {     /* the first n + 1 rows that count */
        const double x = v[i];
        if (x > 0 && !(vis && !vis[i])) {
            heap[kept].value = x; heap[kept].row = i; kept++;
        }
    }
    if (kept == cap) {
        for (Py_ssize_t j = cap / 2 - 1; j >= 0; j--) sift_down(heap, cap, j);
        /* then only what beats the smallest kept (> 0 as it is); an equal total is no better:
           which of two equal totals below the n best is kept does not matter (see below) */
        double least = heap[0].value;
        for (; i < size; i++) {
            const double x = v[i];
            if (x > least && !(vis && !vis[i])) {
                heap[0].value = x; heap[0].row = i;
                sift_down(heap, cap, 0);
                least = heap[0].value;
            }
        }
    }
    qsort(heap, kept, sizeof(Item), best_first);
    Py_ssize_t out = kept;
    if (kept == cap) {
        out = n;
        for (Py_ssize_t j = 0; j + 1 < cap; j++)
            if (heap[j].value == heap[j + 1].value) { out = -1; break; }
    }
    if (out < 0) {
        result = Py_NewRef(Py_None);
    } else if ((result = PyList_New(out)) != NULL) {
        for (Py_ssize_t j = 0; j < out; j++) {
            PyObject *row = PyLong_FromSsize_t(heap[j].row);
            if (row == NULL) { Py_CLEAR(result); break; }
            PyList_SET_ITEM(result, j, row);
        }
    }
    PyMem_Free(heap);
done:
    if (have_visible) PyBuffer_Release(&visible);
    PyBuffer_Release(&total);
    return result;
}

/* The collector and long-lived records. A search's rows stay in the row cache for hundreds of
 * searches, as tuples and ParagraphRows the collector tracks: each cached row's ~13 objects sat
 * in the young generation until a collection moved them on, so every generation-0 collection
 * traversed ~4000 of them (~0.5 ms) and the full ones the whole cache. A record that holds only
 * atomic values (str, int, None...) and untracked records can never be part of a cycle, so
 * untracking it changes nothing but the collector's work (CPython untracks such a tuple itself,
 * but only when a collection reaches it). */
static int
tracked_referent(PyObject *o, void *own_type)
{
    if (o == (PyObject *)own_type) return 0;   /* (a heap type's instance visits its type) */
    return PyObject_IS_GC(o) && PyObject_GC_IsTracked(o);
}

/* Untrack `obj` if it is no mutable container and refers to no tracked object. */
static void
untrack_record(PyObject *obj)
{
    if (!PyObject_IS_GC(obj) || !PyObject_GC_IsTracked(obj) || PyList_Check(obj) ||
            PyDict_Check(obj) || PyAnySet_Check(obj) || PyByteArray_Check(obj))
        return;
    traverseproc traverse = Py_TYPE(obj)->tp_traverse;
    if (traverse == NULL || traverse(obj, tracked_referent, Py_TYPE(obj)) == 0)
        PyObject_GC_UnTrack(obj);
}

/* untrack(records: list) -> None
 * Each record (in order: inner records first) untracked when it holds only atomic values and
 * untracked records (see untrack_record): for immutable records kept long in caches. */
static PyObject *
untrack(PyObject *self, PyObject *args)
{
    PyObject *records;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &records)) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(records); i++)
        untrack_record(PyList_GET_ITEM(records, i));
    Py_RETURN_NONE;
}

#ifndef _WIN32
/* a table's record i (rowfile.RowFile._record): from its cache, else decoded and cached (the
   cache emptied beyond 20000 records, as there); a borrowed reference */
static PyObject *
table_record(PyObject *table, Py_ssize_t i)
{
    PyObject *cache = PyTuple_GET_ITEM(table, 2);
    PyObject *key = PyLong_FromSsize_t(i);
    if (key == NULL) return NULL;
    PyObject *found = PyDict_GetItemWithError(cache, key);
    if (found == NULL && !PyErr_Occurred()) {
        Py_buffer blob, offsets;
        if (get(PyTuple_GET_ITEM(table, 0), &blob, 1, 0, "blob") < 0) goto out;
        if (get(PyTuple_GET_ITEM(table, 1), &offsets, 8, 0, "offsets") < 0) {
            PyBuffer_Release(&blob); goto out;
        }
        const int64_t *o = offsets.buf;
        if (i < 0 || i + 1 >= offsets.len / 8 || o[i] < 0 || o[i] > o[i + 1] ||
                o[i + 1] > blob.len) {
            PyErr_SetString(PyExc_ValueError, "read_rows: a record out of its table");
        } else {
            PyObject *record = PyMarshal_ReadObjectFromString((const char *)blob.buf + o[i],
                                                              o[i + 1] - o[i]);
            if (record != NULL) {
                untrack_record(record);        /* (a tuple of strings, kept long) */
                if (PyDict_GET_SIZE(cache) > 20000) PyDict_Clear(cache);
                if (PyDict_SetItem(cache, key, record) == 0) found = record;
                Py_DECREF(record);     /* (the cache holds it) */
            }
        }
        PyBuffer_Release(&blob); PyBuffer_Release(&offsets);
    }
out:
    Py_DECREF(key);
    return found;
}

/* rowfile.RowFile._heading: the heading text of heads record `index` (its cache holds the text
   once made; a record None is the plain heading text, made here as segments.heads_text(row,
   as is) makes it: title, headings and an FAQ pair's question joined by spaces, then "\n").
   A new reference. */
static PyObject *
heading_text(PyObject *heads_table, PyObject *index, PyObject *doc, PyObject *path,
             PyObject *question)
{
    PyObject *cache = PyTuple_GET_ITEM(heads_table, 2);
    PyObject *found = PyDict_GetItemWithError(cache, index);
    if (found != NULL && found != Py_None) return Py_NewRef(found);
    if (PyErr_Occurred()) return NULL;
    const Py_ssize_t i = PyLong_AsSsize_t(index);
    if (i == -1 && PyErr_Occurred()) return NULL;
    PyObject *record = table_record(heads_table, i);     /* (borrowed: the cache holds it) */
    if (record == NULL) return NULL;
    if (record != Py_None) return Py_NewRef(record);
    if (!PyTuple_Check(path) || !PyUnicode_Check(question)) {
        PyErr_SetString(PyExc_ValueError, "read_rows: not a heading path");
        return NULL;
    }
    const int asked = PyUnicode_GET_LENGTH(question) > 0;
    const Py_ssize_t n = PyTuple_GET_SIZE(path);
    PyObject *parts = PyTuple_New(n + 1 + asked);
    if (parts == NULL) return NULL;
    PyTuple_SET_ITEM(parts, 0, Py_NewRef(PyTuple_GET_ITEM(doc, 0)));
    for (Py_ssize_t k = 0; k < n; k++)
        PyTuple_SET_ITEM(parts, k + 1, Py_NewRef(PyTuple_GET_ITEM(path, k)));
    if (asked) PyTuple_SET_ITEM(parts, n + 1, Py_NewRef(question));
    PyObject *space = PyUnicode_FromString(" "), *line = PyUnicode_FromString("\n");
    PyObject *joined = space && line ? PyUnicode_Join(space, parts) : NULL;
    PyObject *heading = joined ? PyUnicode_Concat(joined, line) : NULL;
    Py_XDECREF(space); Py_XDECREF(line); Py_XDECREF(joined); Py_DECREF(parts);
    if (heading == NULL) return NULL;
    if (PyDict_SetItem(cache, index, heading) < 0) { Py_DECREF(heading); return NULL; }
    return heading;
}

/* rowfile._patched(text, (places, chars)): the text with text[places[i]] = chars[i] (places
   uint32 little-endian), made a canonical str (the narrowest kind its characters need) */
static PyObject *
patched_text(PyObject *text, PyObject *patch)
{
    if (!PyUnicode_Check(text) || PyTuple_GET_SIZE(patch) != 2 ||
            !PyBytes_Check(PyTuple_GET_ITEM(patch, 0)) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(patch, 1))) {
        PyErr_SetString(PyExc_ValueError, "read_rows: not a normalised text's changes");
        return NULL;
    }
    PyObject *places = PyTuple_GET_ITEM(patch, 0), *chars = PyTuple_GET_ITEM(patch, 1);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text), k = PyUnicode_GET_LENGTH(chars);
    if (PyBytes_GET_SIZE(places) != 4 * k) {
        PyErr_SetString(PyExc_ValueError, "read_rows: changes' places and characters differ");
        return NULL;
    }
    Py_UCS4 *buf = PyUnicode_AsUCS4Copy(text);
    if (buf == NULL) return NULL;
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(places);
    for (Py_ssize_t i = 0; i < k; i++) {
        const uint32_t at = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
                            (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
        if (at >= (uint64_t)n) {
            PyMem_Free(buf);
            PyErr_SetString(PyExc_ValueError, "read_rows: a change out of its text");
            return NULL;
        }
        buf[at] = PyUnicode_READ_CHAR(chars, i);
    }
    PyObject *out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n);
    PyMem_Free(buf);
    return out;
}

/* read_rows(fd: int, blob_at: int, row_ptr: int64[rows + 1], span_ptr: int64[rows + 1],
 *           spans: int32[s], ats: list[int], ids: int64[rows], docs: int64[rows],
 *           row_type: type, setters: 14 slot descriptors, docs_table, paths_table)
 *   -> list[(ParagraphRow, normalised text, head index)]
 * The row file's rows `ats` (knowledge/rowfile.py) as RowFile.entry makes them: one pread and
 * one marshal record a row, its sentences ((start, end), ...), its document's and heading
 * path's records (a table is (blob, offsets, cache), as RowFile._tables), the ParagraphRow's
 * fields set through its slots as the dataclass's __init__ sets them; the heading text is left
 * to the caller (its head index), no Python step per row. */
static PyObject *
read_rows(PyObject *self, PyObject *args)
{
    int fd;
    Py_ssize_t blob_at;
    PyObject *o_row_ptr, *o_span_ptr, *o_spans, *o_ats, *o_ids, *o_docs, *row_type, *setters;
    PyObject *docs_table, *paths_table, *heads_table = NULL;
    if (!PyArg_ParseTuple(args, "inOOOO!OOO!O!O!O!|O!", &fd, &blob_at, &o_row_ptr, &o_span_ptr,
                          &o_spans, &PyList_Type, &o_ats, &o_ids, &o_docs, &PyType_Type,
                          &row_type, &PyList_Type, &setters, &PyTuple_Type, &docs_table,
                          &PyTuple_Type, &paths_table, &PyTuple_Type, &heads_table))
        return NULL;
    if (heads_table != NULL && (PyTuple_GET_SIZE(heads_table) != 3 ||
                                !PyDict_Check(PyTuple_GET_ITEM(heads_table, 2)))) {
        PyErr_SetString(PyExc_TypeError, "read_rows: tables of (blob, offsets, dict)");
        return NULL;
    }
    if (PyList_GET_SIZE(setters) != 14 || PyTuple_GET_SIZE(docs_table) != 3 ||
            PyTuple_GET_SIZE(paths_table) != 3 ||
            !PyDict_Check(PyTuple_GET_ITEM(docs_table, 2)) ||
            !PyDict_Check(PyTuple_GET_ITEM(paths_table, 2))) {
        PyErr_SetString(PyExc_TypeError, "read_rows: 14 setters, tables of (blob, offsets, dict)");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < 14; k++)
        if (Py_TYPE(PyList_GET_ITEM(setters, k))->tp_descr_set == NULL) {
            PyErr_SetString(PyExc_TypeError, "read_rows: a setter is no data descriptor");
            return NULL;
        }
    PyTypeObject *type = (PyTypeObject *)row_type;
    Py_buffer rp, sp, sv, iv, dv;
    if (get(o_row_ptr, &rp, 8, 0, "row_ptr") < 0) return NULL;
    if (get(o_span_ptr, &sp, 8, 0, "span_ptr") < 0) { PyBuffer_Release(&rp); return NULL; }
    if (get(o_spans, &sv, 4, 0, "spans") < 0) {
        PyBuffer_Release(&rp); PyBuffer_Release(&sp); return NULL;
    }
    if (get(o_ids, &iv, 8, 0, "ids") < 0) {
        PyBuffer_Release(&rp); PyBuffer_Release(&sp); PyBuffer_Release(&sv); return NULL;
    }
    if (get(o_docs, &dv, 8, 0, "docs") < 0) {
        PyBuffer_Release(&rp); PyBuffer_Release(&sp); PyBuffer_Release(&sv);
        PyBuffer_Release(&iv); return NULL;
    }
    const int64_t *row_ptr = rp.buf, *span_ptr = sp.buf, *ids = iv.buf, *doc_of = dv.buf;
    const int32_t *spans = sv.buf;
    const Py_ssize_t n_rows = rp.len / 8 - 1, n_spans = sv.len / 4;
    const Py_ssize_t count = PyList_GET_SIZE(o_ats);
    PyObject *result = PyList_New(count);
    char *buf = NULL;
    Py_ssize_t room = 0;
    if (result == NULL) goto done;
    if (sp.len / 8 != n_rows + 1 || iv.len / 8 != n_rows || dv.len / 8 != n_rows) {
        PyErr_SetString(PyExc_ValueError, "read_rows: the row arrays differ in size");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        const Py_ssize_t at = PyLong_AsSsize_t(PyList_GET_ITEM(o_ats, i));
        if (at == -1 && PyErr_Occurred()) goto fail;
        if (at < 0 || at >= n_rows) {
            PyErr_SetString(PyExc_IndexError, "read_rows: no such row");
            goto fail;
        }
        const int64_t start = row_ptr[at], size = row_ptr[at + 1] - start;
        const int64_t a = span_ptr[at], b = span_ptr[at + 1];
        if (size < 0 || a < 0 || b < a || b > n_spans || (b - a) % 2) {
            PyErr_SetString(PyExc_ValueError, "read_rows: a row's offsets out of bounds");
            goto fail;
        }
        if (size > room) {
            char *more = PyMem_Realloc(buf, size);
            if (more == NULL) { PyErr_NoMemory(); goto fail; }
            buf = more;
            room = size;
        }
        Py_ssize_t have = 0;
        while (have < size) {
            const ssize_t got = pread(fd, buf + have, size - have, blob_at + start + have);
            if (got < 0) { PyErr_SetFromErrno(PyExc_OSError); goto fail; }
            if (got == 0) { PyErr_SetString(PyExc_EOFError, "read_rows: the file is short"); goto fail; }
            have += got;
        }
        /* number, kind, ocr, text, question, ref, doc, path, norm, head */
        PyObject *record = PyMarshal_ReadObjectFromString(buf, size);
        if (record == NULL) goto fail;
        if (!PyTuple_Check(record) || PyTuple_GET_SIZE(record) != 10) {
            Py_DECREF(record);
            PyErr_SetString(PyExc_ValueError, "read_rows: not a row record");
            goto fail;
        }
        PyObject *const *f = &PyTuple_GET_ITEM(record, 0);
        PyObject *doc = NULL, *path = NULL, *sentences = NULL, *row = NULL, *id = NULL,
                 *doc_id = NULL, *entry = NULL, *text = NULL, *head = NULL;
        const Py_ssize_t doc_i = PyLong_AsSsize_t(f[6]), path_i = PyLong_AsSsize_t(f[7]);
        if (PyErr_Occurred()) goto row_fail;
        if ((doc = table_record(docs_table, doc_i)) == NULL) goto row_fail;
        if ((path = table_record(paths_table, path_i)) == NULL) goto row_fail;
        if (!PyTuple_Check(doc) || PyTuple_GET_SIZE(doc) != 4) {
            PyErr_SetString(PyExc_ValueError, "read_rows: not a document record");
            goto row_fail;
        }
        if ((sentences = PyTuple_New((b - a) / 2)) == NULL) goto row_fail;
        for (int64_t k = a; k < b; k += 2) {
            PyObject *pair = Py_BuildValue("(ii)", spans[k], spans[k + 1]);
            if (pair == NULL) goto row_fail;
            PyObject_GC_UnTrack(pair);     /* (two ints) */
            PyTuple_SET_ITEM(sentences, (k - a) / 2, pair);
        }
        PyObject_GC_UnTrack(sentences);
        if (PyBytes_Check(f[3])) {      /* a text beyond ASCII, as UTF-16 (format 4) */
            const Py_ssize_t nb = PyBytes_GET_SIZE(f[3]);
            if (nb % 2) {
                PyErr_SetString(PyExc_ValueError, "read_rows: not a UTF-16 text");
                goto row_fail;
            }
#if PY_BIG_ENDIAN
            int order = -1;
            text = PyUnicode_DecodeUTF16(PyBytes_AS_STRING(f[3]), nb, "strict", &order);
#else
            text = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, PyBytes_AS_STRING(f[3]),
                                             nb / 2);
#endif
            if (text == NULL) goto row_fail;
        } else if (PyUnicode_Check(f[3])) {
            text = Py_NewRef(f[3]);
        } else {
            PyErr_SetString(PyExc_ValueError, "read_rows: not a row's text");
            goto row_fail;
        }
        if ((id = PyLong_FromLongLong(ids[at])) == NULL) goto row_fail;
        if ((doc_id = PyLong_FromLongLong(doc_of[at])) == NULL) goto row_fail;
        if ((row = type->tp_alloc(type, 0)) == NULL) goto row_fail;
        {
            /* ParagraphRow's fields, in order */
            PyObject *values[14] = {id, doc_id, f[0], text, sentences, path,
                                    PyTuple_GET_ITEM(doc, 0), PyTuple_GET_ITEM(doc, 1),
                                    PyTuple_GET_ITEM(doc, 2), PyTuple_GET_ITEM(doc, 3),
                                    f[1], f[2], f[4], f[5]};
            for (Py_ssize_t k = 0; k < 14; k++) {
                PyObject *d = PyList_GET_ITEM(setters, k);
                if (Py_TYPE(d)->tp_descr_set(d, row, values[k]) < 0) goto row_fail;
            }
        }
        untrack_record(row);   /* (its fields are atomic or untracked records) */
        if (heads_table != NULL) {
            if ((head = heading_text(heads_table, f[9], doc, path, f[4])) == NULL)
                goto row_fail;
        } else {
            head = Py_NewRef(f[9]);
        }
        if (PyTuple_Check(f[8])) {     /* the characters normalising changes (format 3) */
            PyObject *norm = patched_text(text, f[8]);
            if (norm == NULL) goto row_fail;
            entry = PyTuple_Pack(3, row, norm, head);
            Py_DECREF(norm);
        } else {
            entry = PyTuple_Pack(3, row, f[8] == Py_None ? text : f[8], head);
        }
        if (entry == NULL) goto row_fail;
        untrack_record(entry);
        PyList_SET_ITEM(result, i, entry);
        Py_DECREF(row); Py_DECREF(id); Py_DECREF(doc_id); Py_DECREF(sentences);
        Py_DECREF(text); Py_DECREF(head); Py_DECREF(record);
        continue;
row_fail:
        Py_XDECREF(row); Py_XDECREF(id); Py_XDECREF(doc_id); Py_XDECREF(sentences);
        Py_XDECREF(text); Py_XDECREF(head); Py_DECREF(record);
        goto fail;
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    PyMem_Free(buf);
    PyBuffer_Release(&rp); PyBuffer_Release(&sp); PyBuffer_Release(&sv);
    PyBuffer_Release(&iv); PyBuffer_Release(&dv);
    return result;
}
#endif

/* containing(text: str, starts: int64[s], ends: int64[s], needle: str, out: bool[s]) -> None
 * out[i] = needle occurs whole inside text[starts[i]:ends[i]] (spans sorted by start, apart):
 * rank._Spans.containing's loop, each occurrence found with str.find's own search. */
static PyObject *
containing(PyObject *self, PyObject *args)
{
    PyObject *text, *needle, *o_starts, *o_ends, *o_out;
    if (!PyArg_ParseTuple(args, "UOOUO", &text, &o_starts, &o_ends, &needle, &o_out))
        return NULL;
    Py_buffer starts, ends, out;
    if (get(o_starts, &starts, 8, 0, "starts") < 0) return NULL;
    if (get(o_ends, &ends, 8, 0, "ends") < 0) { PyBuffer_Release(&starts); return NULL; }
    if (get(o_out, &out, 1, 1, "out") < 0) {
        PyBuffer_Release(&ends); PyBuffer_Release(&starts); return NULL;
    }
    const int64_t *s = (const int64_t *)starts.buf, *e = (const int64_t *)ends.buf;
    char *flag = (char *)out.buf;
    Py_ssize_t n = starts.len / 8, length = PyUnicode_GET_LENGTH(text);
    Py_ssize_t size = PyUnicode_GET_LENGTH(needle);
    int failed = ends.len / 8 != n || out.len != n;
    if (failed)
        PyErr_SetString(PyExc_ValueError, "containing: spans and out differ in size");
    Py_ssize_t pos = (!failed && size) ? PyUnicode_Find(text, needle, 0, length, 1) : -1;
    while (pos >= 0) {
        /* the last span starting at or before pos (bisect_right - 1) */
        Py_ssize_t lo = 0, hi = n;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (s[mid] <= pos) lo = mid + 1; else hi = mid;
        }
        Py_ssize_t i = lo - 1, end = i >= 0 ? (Py_ssize_t)e[i] : -1, from;
        if (pos + size <= end) {
            flag[i] = 1;
            from = end;                 /* the next span */
        } else {
            from = pos + 1;             /* across the separator after span i */
        }
        pos = from <= length ? PyUnicode_Find(text, needle, from, length, 1) : -1;
    }
    if (pos == -2) failed = 1;          /* (an error from PyUnicode_Find) */
    PyBuffer_Release(&out);
    PyBuffer_Release(&ends);
    PyBuffer_Release(&starts);
    if (failed) return NULL;
    Py_RETURN_NONE;
}

/* -- the rerank's found matrix (rank._Spans.matrix) ------------------------------------------ */

/* Is needle a word of ASCII digits (text.number_pattern: found as a whole number)? */
static int
is_number(PyObject *needle)
{
    Py_ssize_t size = PyUnicode_GET_LENGTH(needle);
    if (size == 0 || !PyUnicode_IS_ASCII(needle)) return 0;
    const Py_UCS1 *c = PyUnicode_1BYTE_DATA(needle);
    for (Py_ssize_t k = 0; k < size; k++)
        if (c[k] < '0' || c[k] > '9') return 0;
    return 1;
}

/* the last span starting at or before pos (bisect_right(starts, pos) - 1; -1: none) */
static Py_ssize_t
span_at(const int64_t *s, Py_ssize_t n, Py_ssize_t pos)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (s[mid] <= pos) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
}

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')

/* Where each character that begins a spelling occurs in the text, in order: one pass over the
 * text for all spellings (str.find per spelling would pass over the whole text each time). */
typedef struct {
    Py_ssize_t size, n_ids;     /* hash slots (a power of 2), distinct first characters */
    Py_UCS4 *key;               /* slot -> character */
    int32_t *id;                /* slot -> its bucket, -1: an empty slot */
    Py_ssize_t *bucket;         /* bucket b's positions: at[bucket[b]] .. at[bucket[b + 1]] */
    int32_t *at;
    uint8_t bmp[8192];          /* a bit per character below U+10000: may begin a spelling */
} Firsts;

static Py_ssize_t
first_slot(const Firsts *f, Py_UCS4 c)
{
    Py_ssize_t slot = (Py_ssize_t)((c * 2654435761u) & (uint32_t)(f->size - 1));
    while (f->id[slot] >= 0 && f->key[slot] != c) slot = (slot + 1) & (f->size - 1);
    return slot;
}

static void
firsts_free(Firsts *f)
{
    PyMem_Free(f->key); PyMem_Free(f->id); PyMem_Free(f->bucket); PyMem_Free(f->at);
}

/* Add the first character of a spelling (none for an empty one). */
static void
firsts_add(Firsts *f, PyObject *spelling)
{
    if (PyUnicode_GET_LENGTH(spelling) == 0) return;
    Py_UCS4 c = PyUnicode_READ_CHAR(spelling, 0);
    Py_ssize_t slot = first_slot(f, c);
    if (f->id[slot] < 0) { f->key[slot] = c; f->id[slot] = (int32_t)f->n_ids++; }
    if (c < 0x10000) f->bmp[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* Room for up to cap first characters; -1 on no memory. */
static int
firsts_init(Firsts *f, Py_ssize_t cap)
{
    memset(f, 0, sizeof(*f));
    f->size = 16;
    while (f->size < 2 * cap + 2) f->size *= 2;
    f->key = PyMem_Malloc(f->size * sizeof(Py_UCS4));
    f->id = PyMem_Malloc(f->size * sizeof(int32_t));
    if (f->key == NULL || f->id == NULL) { PyErr_NoMemory(); return -1; }
    memset(f->id, 0xff, f->size * sizeof(int32_t));
    return 0;
}

/* Each added character's positions in text, by one pass. -1 on no memory. */
static int
firsts_index(Firsts *f, PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), m = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    int32_t *of = PyMem_Malloc((length ? length : 1) * sizeof(int32_t));
    f->bucket = PyMem_Calloc(f->n_ids + 1, sizeof(Py_ssize_t));
    if (of == NULL || f->bucket == NULL) { PyMem_Free(of); PyErr_NoMemory(); return -1; }
#define SCAN(TYPE) \
    for (Py_ssize_t p = 0; p < length; p++) { \
        Py_UCS4 c = ((const TYPE *)data)[p]; \
        int32_t b = -1; \
        if (c >= 0x10000 || (f->bmp[c >> 3] >> (c & 7)) & 1) b = f->id[first_slot(f, c)]; \
        of[p] = b; \
        if (b >= 0) { f->bucket[b + 1]++; m++; } \
    }
    if (kind == PyUnicode_1BYTE_KIND) SCAN(Py_UCS1)
    else if (kind == PyUnicode_2BYTE_KIND) SCAN(Py_UCS2)
    else SCAN(Py_UCS4)
#undef SCAN
    for (Py_ssize_t b = 0; b < f->n_ids; b++) f->bucket[b + 1] += f->bucket[b];
    f->at = PyMem_Malloc((m ? m : 1) * sizeof(int32_t));
    Py_ssize_t *fill = PyMem_Malloc((f->n_ids ? f->n_ids : 1) * sizeof(Py_ssize_t));
    if (f->at == NULL || fill == NULL) {
        PyMem_Free(of); PyMem_Free(fill); PyErr_NoMemory(); return -1;
    }
    memcpy(fill, f->bucket, f->n_ids * sizeof(Py_ssize_t));
    for (Py_ssize_t p = 0; p < length; p++)
        if (of[p] >= 0) f->at[fill[of[p]]++] = (int32_t)p;
    PyMem_Free(of);
    PyMem_Free(fill);
    return 0;
}

/* flag[i] = the spans that hold needle whole: _Spans.containing (a plain word, as containing()
 * above) or _Spans.containing_number (a number: no digit or '.' before it, no digit nor '.'
 * and a digit after it, looked at in the joined text as the regular expression does). The
 * occurrences are the ones str.find would give, in order, taken from the positions of the
 * needle's first character (f). */
static void
find_in_spans(PyObject *text, const int64_t *s, const int64_t *e, Py_ssize_t n,
              PyObject *needle, const Firsts *f, char *flag)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), size = PyUnicode_GET_LENGTH(needle);
    if (size == 0 || size > length) return;
    int kind = PyUnicode_KIND(text), n_kind = PyUnicode_KIND(needle);
    const void *data = PyUnicode_DATA(text), *n_data = PyUnicode_DATA(needle);
    int number = is_number(needle);
    int32_t b = f->id[first_slot(f, PyUnicode_READ(n_kind, n_data, 0))];
    if (b < 0) return;          /* (every first character was added: cannot happen) */
    const int32_t *at = f->at + f->bucket[b], *stop = f->at + f->bucket[b + 1];
    Py_ssize_t from = 0;
    for (; at < stop; at++) {
        Py_ssize_t pos = *at;
        if (pos < from) continue;
        if (pos + size > length) break;
        Py_ssize_t k = 1;
        while (k < size && PyUnicode_READ(kind, data, pos + k) ==
                           PyUnicode_READ(n_kind, n_data, k)) k++;
        if (k < size) continue;         /* (str.find goes on at pos + 1) */
        int whole = 1;
        if (number) {
            Py_UCS4 before = pos > 0 ? PyUnicode_READ(kind, data, pos - 1) : 0;
            Py_UCS4 after = pos + size < length ? PyUnicode_READ(kind, data, pos + size) : 0;
            Py_UCS4 next = pos + size + 1 < length ? PyUnicode_READ(kind, data, pos + size + 1) : 0;
            whole = !(IS_DIGIT(before) || before == '.') && !IS_DIGIT(after) &&
                    !(after == '.' && IS_DIGIT(next));
        }
        if (whole) {
            Py_ssize_t i = span_at(s, n, pos), end = i >= 0 ? (Py_ssize_t)e[i] : -1;
            if (pos + size <= end) {
                flag[i] = 1;
                if (!number) from = end;    /* the next span (a number: its next match) */
            }
            if (number) from = pos + size;  /* (matches of a number never overlap) */
        }
    }
}

typedef struct {
    PyObject *text, *seen;      /* seen: needle -> its slot's number */
    const int64_t *s, *e;
    Py_ssize_t n, used, cap;
    char *flags;                /* cap slots of n flags */
    Firsts firsts;
} Lookup;

/* The flags of one needle (looked up once per call), NULL on an error. */
static const char *
lookup(Lookup *lk, PyObject *needle)
{
    if (!PyUnicode_Check(needle)) {
        PyErr_SetString(PyExc_TypeError, "matrix: a spelling is not a str");
        return NULL;
    }
    PyObject *slot = PyDict_GetItemWithError(lk->seen, needle);
    if (slot != NULL) return lk->flags + PyLong_AsSsize_t(slot) * lk->n;
    if (PyErr_Occurred()) return NULL;
    if (lk->used == lk->cap) {
        PyErr_SetString(PyExc_RuntimeError, "matrix: more spellings than counted");
        return NULL;
    }
    char *flag = lk->flags + lk->used * lk->n;
    PyObject *number = PyLong_FromSsize_t(lk->used);
    if (number == NULL) return NULL;
    int failed = PyDict_SetItem(lk->seen, needle, number);
    Py_DECREF(number);
    if (failed < 0) return NULL;
    find_in_spans(lk->text, lk->s, lk->e, lk->n, needle, &lk->firsts, flag);
    lk->used++;
    return flag;
}

/* How many spellings a unit has at most (its text, alternatives, parts, the alternatives'
 * parts, the grams' options), each one's first character added to f (unless NULL); -1 and an
 * error when it is not (str, tuple, tuple, tuple of tuples, tuple of tuples) of str. */
static Py_ssize_t
spellings(PyObject *unit, Firsts *f)
{
    if (!PyTuple_Check(unit) || PyTuple_GET_SIZE(unit) != 5 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(unit, 0))) goto bad;
    Py_ssize_t count = 1;
    if (f) firsts_add(f, PyTuple_GET_ITEM(unit, 0));
    for (int k = 1; k <= 4; k++) {
        PyObject *field = PyTuple_GET_ITEM(unit, k);
        if (!PyTuple_Check(field)) goto bad;
        for (Py_ssize_t g = 0; g < PyTuple_GET_SIZE(field); g++) {
            PyObject *item = PyTuple_GET_ITEM(field, g);
            if (k <= 2) {           /* alternatives, parts: spellings */
                if (!PyUnicode_Check(item)) goto bad;
                if (f) firsts_add(f, item);
                count++;
                continue;
            }
            if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) == 0) goto bad;
            for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(item); j++) {
                PyObject *spelling = PyTuple_GET_ITEM(item, j);
                if (!PyUnicode_Check(spelling)) goto bad;
                if (f) firsts_add(f, spelling);
                count++;
            }
        }
    }
    return count;
bad:
    PyErr_SetString(PyExc_TypeError, "matrix: a unit is (text, alternatives, parts, "
                    "alternative_parts, grams) of str, groups not empty");
    return -1;
}

/* One unit's column: rank._Spans.match's scores, in its order of operations. */
static int
fill_column(Lookup *lk, PyObject *unit, double *out, Py_ssize_t stride)
{
    Py_ssize_t n = lk->n;
    PyObject *alternatives = PyTuple_GET_ITEM(unit, 1), *parts = PyTuple_GET_ITEM(unit, 2);
    PyObject *alternative_parts = PyTuple_GET_ITEM(unit, 3), *grams = PyTuple_GET_ITEM(unit, 4);
    Py_ssize_t n_alt = PyTuple_GET_SIZE(alternatives), n_parts = PyTuple_GET_SIZE(parts);
    Py_ssize_t n_ap = PyTuple_GET_SIZE(alternative_parts), n_grams = PyTuple_GET_SIZE(grams);
    const char *exact = lookup(lk, PyTuple_GET_ITEM(unit, 0));
    if (exact == NULL) return -1;
    for (Py_ssize_t i = 0; i < n; i++) out[i * stride] = exact[i] ? 1.0 : 0.0;
    if (!n_alt && !n_parts && n_grams < 2 && !n_ap)
        return 0;                               /* (most words: found or not) */
    for (Py_ssize_t k = 0; k < n_alt; k++) {
        const char *has = lookup(lk, PyTuple_GET_ITEM(alternatives, k));
        if (has == NULL) return -1;
        for (Py_ssize_t i = 0; i < n; i++)
            if (has[i] && out[i * stride] < 0.9) out[i * stride] = 0.9;
    }
    if (n_parts) {
        double *count = PyMem_Calloc(n ? n : 1, sizeof(double));
        if (count == NULL) { PyErr_NoMemory(); return -1; }
        for (Py_ssize_t k = 0; k < n_parts; k++) {
            const char *has = lookup(lk, PyTuple_GET_ITEM(parts, k));
            if (has == NULL) { PyMem_Free(count); return -1; }
            for (Py_ssize_t i = 0; i < n; i++) count[i] += has[i] ? 1.0 : 0.0;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            double v = count[i] == (double)n_parts ? 0.85 : 0.7 * count[i] / (double)n_parts;
            if (v > out[i * stride]) out[i * stride] = v;
        }
        PyMem_Free(count);
    }
    char *all = PyMem_Malloc(n ? n : 1);
    double *count = PyMem_Calloc(n ? n : 1, sizeof(double));
    if (all == NULL || count == NULL) {
        PyMem_Free(all); PyMem_Free(count); PyErr_NoMemory(); return -1;
    }
    int failed = 0;
    for (Py_ssize_t k = 0; k < n_ap && !failed; k++) {   /* a phrase alternative's words */
        PyObject *group = PyTuple_GET_ITEM(alternative_parts, k);
        memset(all, 1, n);
        for (Py_ssize_t g = 0; g < PyTuple_GET_SIZE(group); g++) {
            const char *has = lookup(lk, PyTuple_GET_ITEM(group, g));
            if (has == NULL) { failed = 1; break; }
            for (Py_ssize_t i = 0; i < n; i++) all[i] &= has[i] != 0;
        }
        for (Py_ssize_t i = 0; i < n && !failed; i++)
            if (all[i] && out[i * stride] < 0.8) out[i * stride] = 0.8;
    }
    if (n_grams >= 2 && !failed) {
        for (Py_ssize_t k = 0; k < n_grams && !failed; k++) {
            PyObject *options = PyTuple_GET_ITEM(grams, k);
            memset(all, 0, n);
            for (Py_ssize_t g = 0; g < PyTuple_GET_SIZE(options); g++) {
                const char *has = lookup(lk, PyTuple_GET_ITEM(options, g));
                if (has == NULL) { failed = 1; break; }
                for (Py_ssize_t i = 0; i < n; i++) all[i] |= has[i] != 0;
            }
            for (Py_ssize_t i = 0; i < n; i++) count[i] += all[i] ? 1.0 : 0.0;
        }
        for (Py_ssize_t i = 0; i < n && !failed; i++) {
            double v = 0.7 * count[i] / (double)n_grams;
            if (v > out[i * stride]) out[i * stride] = v;
        }
    }
    PyMem_Free(all);
    PyMem_Free(count);
    return failed ? -1 : 0;
}

/* matrix(text: str, starts: int64[s], ends: int64[s], units: list[tuple], out: float64[s, u])
 * -> None
 * out[i, j] = rank._Spans.match(units[j])[i]: each unit given as (text, alternatives, parts,
 * alternative_parts, grams), each spelling looked for once in the joined text (a number as a
 * whole number), the scores combined as _Spans.match combines them (the same doubles). */
static PyObject *
matrix(PyObject *self, PyObject *args)
{
    PyObject *text, *o_starts, *o_ends, *units, *o_out;
    if (!PyArg_ParseTuple(args, "UOOO!O", &text, &o_starts, &o_ends, &PyList_Type, &units,
                          &o_out))
        return NULL;
    Py_buffer starts, ends, out;
    if (get(o_starts, &starts, 8, 0, "starts") < 0) return NULL;
    if (get(o_ends, &ends, 8, 0, "ends") < 0) { PyBuffer_Release(&starts); return NULL; }
    if (get(o_out, &out, 8, 1, "out") < 0) {
        PyBuffer_Release(&ends); PyBuffer_Release(&starts); return NULL;
    }
    Py_ssize_t n = starts.len / 8, n_units = PyList_GET_SIZE(units), cap = 0;
    Lookup lk = {text, NULL, (const int64_t *)starts.buf, (const int64_t *)ends.buf, n, 0, 0,
                 NULL, {0}};
    int failed = ends.len / 8 != n || out.len / 8 != n * n_units;
    if (failed)
        PyErr_SetString(PyExc_ValueError, "matrix: spans, units and out differ in size");
    for (Py_ssize_t j = 0; j < n_units && !failed; j++) {
        Py_ssize_t count = spellings(PyList_GET_ITEM(units, j), NULL);
        if (count < 0) failed = 1; else cap += count;
    }
    if (!failed) {
        lk.cap = cap;
        lk.seen = PyDict_New();
        lk.flags = PyMem_Calloc(cap * n > 0 ? cap * n : 1, 1);
        if (lk.seen == NULL || lk.flags == NULL) { PyErr_NoMemory(); failed = 1; }
    }
    if (!failed && firsts_init(&lk.firsts, cap) < 0) failed = 1;
    for (Py_ssize_t j = 0; j < n_units && !failed; j++)
        spellings(PyList_GET_ITEM(units, j), &lk.firsts);
    if (!failed && firsts_index(&lk.firsts, text) < 0) failed = 1;
    for (Py_ssize_t j = 0; j < n_units && !failed; j++)
        if (fill_column(&lk, PyList_GET_ITEM(units, j), (double *)out.buf + j, n_units) < 0)
            failed = 1;
    firsts_free(&lk.firsts);
    PyMem_Free(lk.flags);
    Py_XDECREF(lk.seen);
    PyBuffer_Release(&out);
    PyBuffer_Release(&ends);
    PyBuffer_Release(&starts);
    if (failed) return NULL;
    Py_RETURN_NONE;
}

/* layout(sentences: list[tuple[tuple[int, int], ...]], texts: list[str], heads: list[str])
 * -> (text, starts, ends, firsts, head_of)
 * The rerank's spans (rank._layout): texts and then the distinct heads joined with "\0" into
 * text; one span per sentence of each text (offsets into its text; a text without sentences:
 * one empty span at its start), then one per distinct head, in order of first appearance;
 * firsts[r] = text r's first span; head_of[k] = the distinct head of sentence span k's text.
 * starts, ends, firsts and head_of as bytearrays of int64. */
static PyObject *
layout(PyObject *self, PyObject *args)
{
    PyObject *sentences, *texts, *heads;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &sentences, &PyList_Type, &texts,
                          &PyList_Type, &heads))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts), n_spans = 0;
    if (PyList_GET_SIZE(sentences) != n || PyList_GET_SIZE(heads) != n) {
        PyErr_SetString(PyExc_ValueError, "layout: lists of different sizes");
        return NULL;
    }
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *own = PyList_GET_ITEM(sentences, r);
        if (!(PyTuple_Check(own) || PyList_Check(own)) ||
                !PyUnicode_Check(PyList_GET_ITEM(texts, r)) ||
                !PyUnicode_Check(PyList_GET_ITEM(heads, r))) {
            PyErr_SetString(PyExc_TypeError, "layout: sentences are tuples, texts and heads str");
            return NULL;
        }
        n_spans += PySequence_Fast_GET_SIZE(own) ? PySequence_Fast_GET_SIZE(own) : 1;
    }
    PyObject *seen = PyDict_New(), *pieces = PyList_New(0), *result = NULL;
    PyObject *o_starts = NULL, *o_ends = NULL, *o_firsts = NULL, *o_head_of = NULL;
    if (seen == NULL || pieces == NULL) goto done;
    /* room for every head distinct; cut to size at the end */
    o_starts = PyByteArray_FromStringAndSize(NULL, (n_spans + n) * 8);
    o_ends = PyByteArray_FromStringAndSize(NULL, (n_spans + n) * 8);
    o_firsts = PyByteArray_FromStringAndSize(NULL, n * 8);
    o_head_of = PyByteArray_FromStringAndSize(NULL, n_spans * 8);
    if (!o_starts || !o_ends || !o_firsts || !o_head_of) goto done;
    int64_t *st = (int64_t *)PyByteArray_AS_STRING(o_starts);
    int64_t *en = (int64_t *)PyByteArray_AS_STRING(o_ends);
    int64_t *first = (int64_t *)PyByteArray_AS_STRING(o_firsts);
    int64_t *head_of = (int64_t *)PyByteArray_AS_STRING(o_head_of);
    Py_ssize_t k = 0, at = 0;
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *own = PyList_GET_ITEM(sentences, r), *text = PyList_GET_ITEM(texts, r);
        PyObject *head = PyList_GET_ITEM(heads, r);
        PyObject *id = PyDict_GetItemWithError(seen, head);
        if (id == NULL) {
            if (PyErr_Occurred()) goto done;
            id = PyLong_FromSsize_t(PyDict_GET_SIZE(seen));
            if (id == NULL) goto done;
            int failed = PyDict_SetItem(seen, head, id);
            Py_DECREF(id);          /* (the dict holds it) */
            if (failed < 0) goto done;
        }
        int64_t h = PyLong_AsLongLong(id);
        first[r] = k;
        Py_ssize_t count = PySequence_Fast_GET_SIZE(own);   /* (a tuple or a list) */
        if (count == 0) {
            st[k] = en[k] = at;
            head_of[k++] = h;
        }
        for (Py_ssize_t j = 0; j < count; j++) {
            PyObject *bound = PySequence_Fast_GET_ITEM(own, j);
            if (!(PyTuple_Check(bound) || PyList_Check(bound)) ||
                    PySequence_Fast_GET_SIZE(bound) != 2) {
                PyErr_SetString(PyExc_TypeError, "layout: a sentence is (start, end)");
                goto done;
            }
            long long a = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(bound, 0));
            long long b = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(bound, 1));
            if ((a == -1 || b == -1) && PyErr_Occurred()) goto done;
            st[k] = at + a;
            en[k] = at + b;
            head_of[k++] = h;
        }
        if (PyList_Append(pieces, text) < 0) goto done;
        at += PyUnicode_GET_LENGTH(text) + 1;
    }
    PyObject *head, *id;
    Py_ssize_t pos = 0;
    while (PyDict_Next(seen, &pos, &head, &id)) {   /* in order of insertion */
        st[k] = at;
        en[k++] = at + PyUnicode_GET_LENGTH(head);
        if (PyList_Append(pieces, head) < 0) goto done;
        at += PyUnicode_GET_LENGTH(head) + 1;
    }
    if (PyByteArray_Resize(o_starts, k * 8) < 0 || PyByteArray_Resize(o_ends, k * 8) < 0)
        goto done;
    PyObject *separator = PyUnicode_FromOrdinal(0);
    if (separator == NULL) goto done;
    PyObject *joined = PyUnicode_Join(separator, pieces);
    Py_DECREF(separator);
    if (joined == NULL) goto done;
    result = PyTuple_Pack(5, joined, o_starts, o_ends, o_firsts, o_head_of);
    Py_DECREF(joined);
done:
    Py_XDECREF(o_starts);
    Py_XDECREF(o_ends);
    Py_XDECREF(o_firsts);
    Py_XDECREF(o_head_of);
    Py_XDECREF(pieces);
    Py_XDECREF(seen);
    return result;
}

/* spread(found: float64[spans * m], n_rows, head_of: int64[n_rows], matches: float64[n_rows * m],
 *        pairs: float64[(n_rows - 1) * m]) -> None
 * The rerank's windows, first half (rank._windows): matches[i] = max(found[i],
 * found[n_rows + head_of[i]]) (a sentence's units or its heading's) and pairs[i] =
 * max(matches[i], matches[i + 1]), column by column, with np.maximum's comparison. */
static PyObject *
spread(PyObject *self, PyObject *args)
{
    PyObject *o_found, *o_head_of, *o_matches, *o_pairs;
    Py_ssize_t n_rows;
    if (!PyArg_ParseTuple(args, "OnOOO", &o_found, &n_rows, &o_head_of, &o_matches, &o_pairs))
        return NULL;
    Py_buffer found, head_of, matches, pairs;
    PyObject *result = NULL;
    if (get(o_found, &found, 8, 0, "found") < 0) return NULL;
    if (get(o_head_of, &head_of, 8, 0, "head_of") < 0) { PyBuffer_Release(&found); return NULL; }
    if (get(o_matches, &matches, 8, 1, "matches") < 0) goto e1;
    if (get(o_pairs, &pairs, 8, 1, "pairs") < 0) goto e2;
    Py_ssize_t m = n_rows > 0 ? matches.len / 8 / n_rows : 0, n_spans = m ? found.len / 8 / m : 0;
    if (n_rows < 1 || head_of.len / 8 != n_rows || matches.len / 8 != n_rows * m ||
            pairs.len / 8 != (n_rows - 1) * m || found.len / 8 != n_spans * m) {
        PyErr_SetString(PyExc_ValueError, "spread: arrays of the wrong sizes");
        goto e3;
    }
    const double *f = (const double *)found.buf;
    const int64_t *h = (const int64_t *)head_of.buf;
    double *out = (double *)matches.buf, *pair = (double *)pairs.buf;
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        Py_ssize_t k = n_rows + h[i];
        if (k < n_rows || k >= n_spans) {
            PyErr_SetString(PyExc_IndexError, "spread: a heading out of range");
            goto e3;
        }
        const double *own = f + i * m, *head = f + k * m;
        for (Py_ssize_t j = 0; j < m; j++)
            out[i * m + j] = (own[j] >= head[j] || own[j] != own[j]) ? own[j] : head[j];
    }
    for (Py_ssize_t i = 0; i + 1 < n_rows; i++)
        for (Py_ssize_t j = 0; j < m; j++) {
            double a = out[i * m + j], b = out[(i + 1) * m + j];
            pair[i * m + j] = (a >= b || a != a) ? a : b;
        }
    Py_INCREF(Py_None);
    result = Py_None;
e3: PyBuffer_Release(&pairs);
e2: PyBuffer_Release(&matches);
e1: PyBuffer_Release(&head_of);
    PyBuffer_Release(&found);
    return result;
}

/* windows(cover: float64[n], pair_dot: float64[n - 1], discount: float, starts: int64[g],
 *         matches: float64[n * m], best: int64[g], window: float64[g], units: float64[g * m])
 * The rerank's windows, second half (rank._windows), per candidate g (its spans starts[g] up
 * to the next start): best[g] = its first span with the largest cover; window[g] = the larger
 * of that cover and its pairs' pair_dot * discount (a pair ending at its last span is none);
 * units[g] = the column-wise max of its spans' matches. np.maximum's comparisons. */
static PyObject *
windows(PyObject *self, PyObject *args)
{
    PyObject *o_cover, *o_pair, *o_starts, *o_matches, *o_best, *o_window, *o_units;
    double discount;
    if (!PyArg_ParseTuple(args, "OOdOOOOO", &o_cover, &o_pair, &discount, &o_starts,
                          &o_matches, &o_best, &o_window, &o_units))
        return NULL;
    Py_buffer b[7];
    PyObject *objs[7] = {o_cover, o_pair, o_starts, o_matches, o_best, o_window, o_units};
    const int writable[7] = {0, 0, 0, 0, 1, 1, 1};
    int got = 0;
    PyObject *result = NULL;
    for (; got < 7; got++)
        if (get(objs[got], &b[got], 8, writable[got], "windows") < 0) goto done;
    Py_ssize_t n = b[0].len / 8, g = b[2].len / 8;
    Py_ssize_t m = n ? b[3].len / 8 / n : 0;
    const double *cover = (const double *)b[0].buf, *pd = (const double *)b[1].buf;
    const int64_t *starts = (const int64_t *)b[2].buf;
    const double *mt = (const double *)b[3].buf;
    int64_t *best = (int64_t *)b[4].buf;
    double *window = (double *)b[5].buf, *units = (double *)b[6].buf;
    if (n < 1 || g < 1 || b[1].len / 8 != n - 1 || b[3].len / 8 != n * m ||
            b[4].len / 8 != g || b[5].len / 8 != g || b[6].len / 8 != g * m) {
        PyErr_SetString(PyExc_ValueError, "windows: arrays of the wrong sizes");
        goto done;
    }
    for (Py_ssize_t r = 0; r < g; r++) {
        Py_ssize_t s = starts[r], e = r + 1 < g ? starts[r + 1] : n;
        if (s < 0 || e > n || s >= e) {
            PyErr_SetString(PyExc_ValueError, "windows: starts not increasing within spans");
            goto done;
        }
        double top = cover[s];
        for (Py_ssize_t k = s + 1; k < e; k++)
            top = (top >= cover[k] || top != top) ? top : cover[k];
        Py_ssize_t first = s;
        while (first < e && cover[first] != top) first++;
        best[r] = first;
        double pair = -INFINITY;        /* (a pair across candidates never counts) */
        for (Py_ssize_t k = s; k + 1 < e; k++) {
            double x = pd[k] * discount;
            pair = (pair >= x || pair != pair) ? pair : x;
        }
        window[r] = (top >= pair || top != top) ? top : pair;
        double *u = units + r * m;
        for (Py_ssize_t j = 0; j < m; j++) {
            double x = mt[s * m + j];
            for (Py_ssize_t k = s + 1; k < e; k++) {
                double y = mt[k * m + j];
                x = (x >= y || x != x) ? x : y;
            }
            u[j] = x;
        }
    }
    Py_INCREF(Py_None);
    result = Py_None;
done:
    while (got-- > 0) PyBuffer_Release(&b[got]);
    return result;
}

/* term_hashes(terms: list[str]) -> bytearray of uint64, or None
 * Each term's segments._term_hash: zlib's CRC-32 of its UTF-8 | zlib's Adler-32 << 32 (the
 * vocabulary's lookup key; a word's hundreds of homophone spellings hashed in one call).
 * None when a term has no strict UTF-8 (a lone surrogate): the caller hashes in Python. */
static uint32_t crc_table[256];

static uint32_t
crc32_of(const unsigned char *s, Py_ssize_t n)
{
    if (crc_table[1] == 0)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
    uint32_t c = 0xFFFFFFFFu;
    for (Py_ssize_t i = 0; i < n; i++) c = crc_table[(c ^ s[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint32_t
adler32_of(const unsigned char *s, Py_ssize_t n)
{
    uint32_t a = 1, b = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        a = (a + s[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

static PyObject *
term_hashes(PyObject *self, PyObject *args)
{
    PyObject *terms;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &terms)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(terms);
    PyObject *out = PyByteArray_FromStringAndSize(NULL, n * 8);
    if (out == NULL) return NULL;
    uint64_t *h = (uint64_t *)PyByteArray_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *term = PyList_GET_ITEM(terms, i);
        if (!PyUnicode_Check(term)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "term_hashes: terms are str");
            return NULL;
        }
        Py_ssize_t size;
        const char *s = PyUnicode_AsUTF8AndSize(term, &size);
        if (s == NULL) {            /* (a lone surrogate: "surrogatepass" is Python's) */
            PyErr_Clear();
            Py_DECREF(out);
            Py_RETURN_NONE;
        }
        h[i] = (uint64_t)crc32_of((const unsigned char *)s, size)
               | ((uint64_t)adler32_of((const unsigned char *)s, size) << 32);
    }
    return out;
}

/* route(sentence: str, freq: dict, scores: dict, prefix: object, logtotal: float,
 *       alone: float) -> list[int] of len(sentence) + 1
 * cut.FastCut._route (jieba's get_DAG + calc over one clause) without a Python step per
 * fragment: for each position k, from the end, the dictionary's words starting there (each
 * fragment sentence[k:i+1] looked up in `scores`, else in jieba's FREQ: absent ends the walk,
 * 0 is a prefix only, else its log-probability log(f) - logtotal, remembered in `scores` as
 * the Python path remembers it), the best route's score and end; the same doubles added and
 * compared in the same order, ties to the later end. */
static PyObject *
route(PyObject *self, PyObject *args)
{
    PyObject *sentence, *freq, *scores, *prefix;
    double logtotal, alone;
    if (!PyArg_ParseTuple(args, "UO!O!Odd", &sentence, &PyDict_Type, &freq, &PyDict_Type,
                          &scores, &prefix, &logtotal, &alone))
        return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(sentence);
    double *best_score = PyMem_Calloc(n + 1, sizeof(double));
    Py_ssize_t *best_end = PyMem_Calloc(n + 1, sizeof(Py_ssize_t));
    PyObject *out = NULL;
    if (best_score == NULL || best_end == NULL) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        int have_top = 0;
        double top = 0.0;
        Py_ssize_t top_end = k;
        for (Py_ssize_t i = k; i < n; i++) {
            PyObject *frag = PyUnicode_Substring(sentence, k, i + 1);
            if (frag == NULL) goto done;
            PyObject *found = PyDict_GetItemWithError(scores, frag);   /* borrowed */
            if (found == NULL) {
                if (PyErr_Occurred()) { Py_DECREF(frag); goto done; }
                PyObject *f = PyDict_GetItemWithError(freq, frag);
                if (f == NULL) {
                    Py_DECREF(frag);
                    if (PyErr_Occurred()) goto done;
                    break;                      /* no word goes on from here */
                }
                const int truth = PyObject_IsTrue(f);
                if (truth < 0) { Py_DECREF(frag); goto done; }
                PyObject *value;
                if (truth) {
                    const double x = PyFloat_AsDouble(f);    /* (math.log's own conversion) */
                    if (x == -1.0 && PyErr_Occurred()) { Py_DECREF(frag); goto done; }
                    if (!(x > 0.0) || isinf(x)) {
                        Py_DECREF(frag);
                        PyErr_SetString(PyExc_ValueError, "route: a frequency log() refuses");
                        goto done;
                    }
                    value = PyFloat_FromDouble(log(x) - logtotal);
                    if (value == NULL) { Py_DECREF(frag); goto done; }
                } else {
                    value = prefix;
                    Py_INCREF(value);
                }
                if (PyDict_SetItem(scores, frag, value) < 0) {
                    Py_DECREF(value); Py_DECREF(frag); goto done;
                }
                found = value;
                Py_DECREF(value);               /* (the dict holds it) */
            }
            Py_DECREF(frag);
            if (found != prefix) {
                const double x = PyFloat_AsDouble(found);
                if (x == -1.0 && PyErr_Occurred()) goto done;
                const double sc = x + best_score[i + 1];
                if (!have_top || sc >= top) {
                    top = sc;
                    top_end = i;
                    have_top = 1;
                }
            }
        }
        if (!have_top) {
            top = alone + best_score[k + 1];
            top_end = k;
        }
        best_score[k] = top;
        best_end[k] = top_end + 1;
    }
    out = PyList_New(n + 1);
    if (out == NULL) goto done;
    for (Py_ssize_t k = 0; k <= n; k++) {
        PyObject *v = PyLong_FromSsize_t(best_end[k]);
        if (v == NULL) { Py_CLEAR(out); goto done; }
        PyList_SET_ITEM(out, k, v);
    }
done:
    PyMem_Free(best_score);
    PyMem_Free(best_end);
    return out;
}

/* viterbi(obs: str, start_p: dict, trans_p: dict, emit_p: dict) -> str of B/M/E/S
 * jieba.finalseg.viterbi(obs, "BMES", start_p, trans_p, emit_p)'s path (the HMM's cut of a run
 * of characters no dictionary word covers: names), as one letter a character: the same sums
 * in the same order (previous + transition + emission, a missing entry MIN_FLOAT), each
 * state's best predecessor as max() of (probability, state) tuples picks it (equal
 * probabilities: the later letter), the last state E or S likewise. */
static int
hmm_get(PyObject *table, PyObject *key, double *out)
{
    PyObject *v = PyDict_GetItemWithError(table, key);
    if (v == NULL) {
        if (PyErr_Occurred()) return -1;
        *out = -3.14e100;                       /* finalseg.MIN_FLOAT */
        return 0;
    }
    *out = PyFloat_AsDouble(v);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

static PyObject *
viterbi(PyObject *self, PyObject *args)
{
    static const char states[4] = {'B', 'M', 'E', 'S'};
    /* finalseg.PrevStatus, as indices into states: B <- E S, M <- M B, E <- B M, S <- S E */
    static const int prev[4][2] = {{2, 3}, {1, 0}, {0, 1}, {3, 2}};
    PyObject *obs, *start_p, *trans_p, *emit_p;
    if (!PyArg_ParseTuple(args, "UO!O!O!", &obs, &PyDict_Type, &start_p, &PyDict_Type,
                          &trans_p, &PyDict_Type, &emit_p))
        return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(obs);
    if (n == 0) return PyUnicode_FromStringAndSize("", 0);
    PyObject *names[4] = {NULL, NULL, NULL, NULL}, *emits[4], *trans[4];
    double tr[4][2], prob[4], next[4];
    unsigned char *back = PyMem_Malloc(4 * n);
    PyObject *out = NULL;
    if (back == NULL) return PyErr_NoMemory();
    for (int y = 0; y < 4; y++) {
        if ((names[y] = PyUnicode_FromStringAndSize(&states[y], 1)) == NULL) goto done;
        emits[y] = PyDict_GetItemWithError(emit_p, names[y]);
        trans[y] = PyDict_GetItemWithError(trans_p, names[y]);
        if (emits[y] == NULL || trans[y] == NULL || !PyDict_Check(emits[y]) ||
                !PyDict_Check(trans[y])) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_KeyError, "viterbi: a state without its tables");
            goto done;
        }
    }
    for (int y = 0; y < 4; y++)
        for (int j = 0; j < 2; j++)
            if (hmm_get(trans[prev[y][j]], names[y], &tr[y][j]) < 0) goto done;
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *ch = PyUnicode_Substring(obs, t, t + 1);
        if (ch == NULL) goto done;
        for (int y = 0; y < 4; y++) {
            double em;
            if (hmm_get(emits[y], ch, &em) < 0) { Py_DECREF(ch); goto done; }
            if (t == 0) {
                PyObject *sp = PyDict_GetItemWithError(start_p, names[y]);
                if (sp == NULL) {
                    if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, names[y]);
                    Py_DECREF(ch); goto done;
                }
                const double s0 = PyFloat_AsDouble(sp);
                if (s0 == -1.0 && PyErr_Occurred()) { Py_DECREF(ch); goto done; }
                next[y] = s0 + em;
                back[y] = (unsigned char)y;
                continue;
            }
            const int a = prev[y][0], b = prev[y][1];
            const double pa = prob[a] + tr[y][0] + em, pb = prob[b] + tr[y][1] + em;
            /* max((pa, A), (pb, B)): the larger probability, equal ones the later letter */
            int take_b = pb > pa || (pb == pa && states[b] > states[a]);
            next[y] = take_b ? pb : pa;
            back[4 * t + y] = (unsigned char)(take_b ? b : a);
        }
        Py_DECREF(ch);
        memcpy(prob, next, sizeof prob);
    }
    {
        /* max((V[E], "E"), (V[S], "S")) */
        int state = prob[3] > prob[2] || prob[3] == prob[2] ? 3 : 2;
        out = PyUnicode_New(n, 127);
        if (out == NULL) goto done;
        Py_UCS1 *path = PyUnicode_1BYTE_DATA(out);
        for (Py_ssize_t t = n - 1; t >= 0; t--) {
            path[t] = (Py_UCS1)states[state];
            state = back[4 * t + state];
        }
    }
done:
    for (int y = 0; y < 4; y++) Py_XDECREF(names[y]);
    PyMem_Free(back);
    return out;
}

static PyMethodDef methods[] = {
    {"accumulate_span_terms", accumulate_span_terms, METH_VARARGS,
     "accumulate_spans() for a segment's terms given by id (the gathers made here)."},
#ifndef _WIN32
    {"read_rows", read_rows, METH_VARARGS, "Row file rows as RowFile.entry makes them."},
#endif
    {"untrack", untrack, METH_VARARGS, "Untrack immutable records of atomic values."},
    {"accumulate_spans", accumulate_spans, METH_VARARGS,
     "Add a field's terms' BM25 weights into totals (rows in 16 bits within spans)."},
    {"top", top, METH_VARARGS, "The n best rows when unique, best first (None: a tie)."},
    {"containing", containing, METH_VARARGS, "Which spans of a text hold a needle whole."},
    {"layout", layout, METH_VARARGS, "The rerank's spans: texts and heads joined, offsets."},
    {"matrix", matrix, METH_VARARGS, "The rerank's spans x units scores (_Spans.match)."},
    {"spread", spread, METH_VARARGS, "The rerank's sentences' and pairs' units (_windows)."},
    {"windows", windows, METH_VARARGS, "Each candidate's best sentence, window, units found."},
    {"term_hashes", term_hashes, METH_VARARGS, "Terms' vocabulary hashes (CRC-32 | Adler-32)."},
    {"route", route, METH_VARARGS, "jieba's best route through one clause (cut._route)."},
    {"viterbi", viterbi, METH_VARARGS, "jieba's HMM states of a run (finalseg.viterbi)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_bm25",
                                    "BM25 candidates' inner loops (optional).", -1, methods};

PyMODINIT_FUNC
PyInit__bm25(void)
{
    PyObject *m = PyModule_Create(&module);
    /* the postings' term frequencies are read as uint8 (index format 5); compiled.py checks it */
    if (m != NULL && PyModule_AddIntConstant(m, "tf_bytes", 1) < 0) { Py_DECREF(m); return NULL; }
    return m;
}
