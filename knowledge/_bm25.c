/* The BM25 candidates stage's inner loops, compiled: an optional speed-up of knowledge/rank.py.
 *
 * accumulate() adds a field's terms' BM25 weights × query weights into a row's total, computing
 * each weight with the same float32 operations, in the same order, as segmented._Field does in
 * numpy, and adding them in the order np.bincount would (terms in query order, postings in row
 * order): the totals are bit for bit the numpy path's. top() picks the n best rows only when
 * that choice and its order are unique (no two of the n + 1 best totals equal); else it returns
 * None and the caller uses numpy's argpartition on the same totals. containing() is the
 * rerank's sentence lookup (rank._Spans.containing) without a Python step per occurrence.
 * layout() lays out the rerank's spans (rank._layout) and matrix() fills its spans × units
 * matrix (rank._Spans.matrix: _Spans.match per unit, every spelling found through one pass
 * over the text that notes where each spelling's first character occurs).
 *
 * Built by setup.py as an optional extension (no numpy headers: the buffer protocol); without it
 * knowledge/rank.py runs the numpy path, with identical results. Compiled with
 * -ffp-contract=off: a fused multiply-add would round differently from numpy.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* accumulate(total: float64[n], rows: int32[p], tf: uint16[p], norms: float32[rows],
 *            alive: bool[rows] | None, offset: int, begins: int64[t], ends: int64[t],
 *            idf: float32[t], qweights: float64[t], k1_plus_1: float) -> postings added
 * total[offset + rows[i]] += (double)(idf * tf * (k1 + 1) / (tf + norms[rows[i]])) * qweight
 * for each term's postings begins[t]..ends[t], dead rows (alive false) skipped. */
static PyObject *
accumulate(PyObject *self, PyObject *args)
{
    PyObject *o_total, *o_rows, *o_tf, *o_norms, *o_alive, *o_begins, *o_ends, *o_idf, *o_qw;
    Py_ssize_t offset;
    float one;
    if (!PyArg_ParseTuple(args, "OOOOOnOOOOf", &o_total, &o_rows, &o_tf, &o_norms, &o_alive,
                          &offset, &o_begins, &o_ends, &o_idf, &o_qw, &one))
        return NULL;
    Py_buffer total, rows, tf, norms, alive, begins, ends, idf, qw;
    int have_alive = o_alive != Py_None, bad = 0;
    Py_ssize_t added = 0;
    if (get(o_total, &total, 8, 1, "total") < 0) return NULL;
    if (get(o_rows, &rows, 4, 0, "rows") < 0) goto e0;
    if (get(o_tf, &tf, 2, 0, "tf") < 0) goto e1;
    if (get(o_norms, &norms, 4, 0, "norms") < 0) goto e2;
    if (have_alive && get(o_alive, &alive, 1, 0, "alive") < 0) goto e3;
    if (get(o_begins, &begins, 8, 0, "begins") < 0) goto e4;
    if (get(o_ends, &ends, 8, 0, "ends") < 0) goto e5;
    if (get(o_idf, &idf, 4, 0, "idf") < 0) goto e6;
    if (get(o_qw, &qw, 8, 0, "qweights") < 0) goto e7;

    double *out = (double *)total.buf;
    const int32_t *r = (const int32_t *)rows.buf;
    const uint16_t *f = (const uint16_t *)tf.buf;
    const float *nm = (const float *)norms.buf;
    const char *live = have_alive ? (const char *)alive.buf : NULL;
    const int64_t *b = (const int64_t *)begins.buf, *e = (const int64_t *)ends.buf;
    const float *w = (const float *)idf.buf;
    const double *q = (const double *)qw.buf;
    Py_ssize_t n_terms = begins.len / 8, n_out = total.len / 8, n_local = norms.len / 4;
    Py_ssize_t n_post = rows.len / 4;
    bad = ends.len / 8 != n_terms || idf.len / 4 != n_terms || qw.len / 8 != n_terms ||
              tf.len / 2 != n_post || (have_alive && alive.len != n_local);
    for (Py_ssize_t t = 0; t < n_terms && !bad; t++) {
        if (b[t] < 0 || e[t] > n_post || b[t] > e[t]) { bad = 1; break; }
        const float idf_t = w[t];
        const double qw_t = q[t];
        for (int64_t p = b[t]; p < e[t]; p++) {
            const int32_t row = r[p];
            if (row < 0 || row >= n_local || offset + row >= n_out) { bad = 1; break; }
            if (live && !live[row]) continue;
            const float freq = (float)f[p];
            const float weight = idf_t * freq * one / (freq + nm[row]);
            out[offset + row] += (double)weight * qw_t;
            added++;
        }
    }
    PyBuffer_Release(&qw);
e7: PyBuffer_Release(&idf);
e6: PyBuffer_Release(&ends);
e5: PyBuffer_Release(&begins);
e4: if (have_alive) PyBuffer_Release(&alive);
e3: PyBuffer_Release(&norms);
e2: PyBuffer_Release(&tf);
e1: PyBuffer_Release(&rows);
e0: PyBuffer_Release(&total);
    if (PyErr_Occurred()) return NULL;
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "accumulate: arrays of inconsistent sizes");
        return NULL;
    }
    return PyLong_FromSsize_t(added);
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

/* ---- pruned(): the same n best rows as accumulate() + top(), most postings not scored ------------
 * MaxScore over term-at-a-time lists. Each list (a field's term in one segment) has an upper
 * bound: the largest weight of its live postings (learned the first time the list is scanned
 * whole, kept by the caller per snapshot in `maxw`) × its query weight. Lists without a known
 * bound are scanned whole first, then the others by bound, largest first, adding into scratch
 * partial totals, until the bounds of the lists left sum below a lower bound of the (n + 1)-th
 * best total (the (n + 1)-th best partial of the rows the first lists touched): a row those
 * lists never reached cannot then be among the n + 1 best. The lists left are only probed for
 * the rows that still can (a pool that shrinks as their bounds are used up). Partial sums in
 * another order than accumulate()'s differ from its totals in the last bits, so the bounds are
 * compared with a relative margin, and the pool's rows are scored again at the end exactly as
 * accumulate() adds them (lists in the caller's order, each posting found by bisection): the n
 * best, their order and their totals are accumulate() + top()'s, bit for bit. Two equal totals
 * among the n + 1 best return None, as top() does (the caller then takes the full path). */

typedef struct {
    Py_buffer rows, tf, norms, alive, maxw;
    int have_alive, ok;
    Py_ssize_t offset, n_local, n_post, n_terms;
} Source;

#define PRUNE_MARGIN 1e-9   /* relative: far above the rounding of a sum of a few hundred terms */
#define PRUNE_TRACK 8192    /* rows remembered as first touched: where the threshold is taken */

static void
release_sources(Source *src, Py_ssize_t n)
{
    for (Py_ssize_t s = 0; s < n; s++) {
        if (!src[s].ok) continue;
        PyBuffer_Release(&src[s].rows); PyBuffer_Release(&src[s].tf);
        PyBuffer_Release(&src[s].norms); PyBuffer_Release(&src[s].maxw);
        if (src[s].have_alive) PyBuffer_Release(&src[s].alive);
    }
}

/* the (k)-th largest of values[idx[0..m)] (k <= m), with a min-heap of k in scratch */
static double
kth_largest(const double *values, const int64_t *idx, Py_ssize_t m, Py_ssize_t k, double *heap)
{
    Py_ssize_t size = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        const double x = values[idx[i]];
        if (size < k) {
            Py_ssize_t at = size++;
            heap[at] = x;
            while (at > 0 && heap[(at - 1) / 2] > heap[at]) {
                double t = heap[at]; heap[at] = heap[(at - 1) / 2]; heap[(at - 1) / 2] = t;
                at = (at - 1) / 2;
            }
        } else if (x > heap[0]) {
            heap[0] = x;
            Py_ssize_t at = 0;
            for (;;) {
                Py_ssize_t low = at, l = 2 * at + 1, r = l + 1;
                if (l < k && heap[l] < heap[low]) low = l;
                if (r < k && heap[r] < heap[low]) low = r;
                if (low == at) break;
                double t = heap[at]; heap[at] = heap[low]; heap[low] = t;
                at = low;
            }
        }
    }
    return heap[0];
}

/* the first posting of rows[b..e) at or after local row `row` (sorted rows) */
static inline int64_t
lower_bound(const int32_t *rows, int64_t b, int64_t e, int32_t row)
{
    while (b < e) {
        const int64_t mid = b + (e - b) / 2;
        if (rows[mid] < row) b = mid + 1; else e = mid;
    }
    return b;
}

typedef struct { double bound; Py_ssize_t list; } Bound;

static int64_t *pool_kept = NULL;   /* pruned()'s pool (the GIL is held throughout) */
static Py_ssize_t pool_room = 0;

static int
by_bound(const void *a, const void *b)
{
    const Bound *x = a, *y = b;
    if (x->bound != y->bound) return x->bound > y->bound ? -1 : 1;
    return x->list < y->list ? -1 : (x->list > y->list);
}

/* pruned(total: float64[N] zeros (scratch), sources: [(rows int32, tf uint16, norms float32,
 *        alive bool | None, offset, maxw float32[terms] writable)], src: int64[L], term: int64[L],
 *        begins: int64[L], ends: int64[L], idf: float32[L], qweights: float64[L], k1_plus_1,
 *        n, visible: bool[N] | None) -> (rows, totals) | None
 * What top(total after accumulate() of the same lists in this order, n, visible) returns, with
 * those rows' totals; None where top() would be None (a tie: `total` then holds partial sums,
 * the caller starts again on a zeroed array). */
static PyObject *
pruned(PyObject *self, PyObject *args)
{
    PyObject *o_total, *o_sources, *o_src, *o_term, *o_begins, *o_ends, *o_idf, *o_qw, *o_vis;
    float one;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OOOOOOOOfnO", &o_total, &o_sources, &o_src, &o_term, &o_begins,
                          &o_ends, &o_idf, &o_qw, &one, &n, &o_vis))
        return NULL;
    if (n < 1) { PyErr_SetString(PyExc_ValueError, "pruned: n < 1"); return NULL; }
    if (!PyList_Check(o_sources)) {
        PyErr_SetString(PyExc_TypeError, "pruned: sources must be a list");
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n_src = PyList_GET_SIZE(o_sources);
    Source *src = PyMem_Calloc(n_src ? n_src : 1, sizeof(Source));
    Py_buffer total, sv, tv, bv, ev, iv, qv, vis;
    int have_vis = o_vis != Py_None, got = 0;
    double *heap = NULL;
    int64_t *tracked = NULL, *pool = NULL;
    Bound *order = NULL;
    if (src == NULL) return PyErr_NoMemory();
    for (Py_ssize_t s = 0; s < n_src; s++) {
        PyObject *t = PyList_GET_ITEM(o_sources, s), *o_alive;
        Source *x = &src[s];
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 6) {
            PyErr_SetString(PyExc_TypeError, "pruned: a source is a 6-tuple");
            goto fail_src;
        }
        x->offset = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 4));
        if (x->offset < 0) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "pruned: offset < 0");
            goto fail_src;
        }
        if (get(PyTuple_GET_ITEM(t, 0), &x->rows, 4, 0, "rows") < 0) goto fail_src;
        if (get(PyTuple_GET_ITEM(t, 1), &x->tf, 2, 0, "tf") < 0) {
            PyBuffer_Release(&x->rows); goto fail_src;
        }
        if (get(PyTuple_GET_ITEM(t, 2), &x->norms, 4, 0, "norms") < 0) {
            PyBuffer_Release(&x->rows); PyBuffer_Release(&x->tf); goto fail_src;
        }
        if (get(PyTuple_GET_ITEM(t, 5), &x->maxw, 4, 1, "maxw") < 0) {
            PyBuffer_Release(&x->rows); PyBuffer_Release(&x->tf); PyBuffer_Release(&x->norms);
            goto fail_src;
        }
        o_alive = PyTuple_GET_ITEM(t, 3);
        x->have_alive = o_alive != Py_None;
        if (x->have_alive && get(o_alive, &x->alive, 1, 0, "alive") < 0) {
            PyBuffer_Release(&x->rows); PyBuffer_Release(&x->tf); PyBuffer_Release(&x->norms);
            PyBuffer_Release(&x->maxw); goto fail_src;
        }
        x->ok = 1;
        x->n_local = x->norms.len / 4;
        x->n_post = x->rows.len / 4;
        x->n_terms = x->maxw.len / 4;
        if (x->tf.len / 2 != x->n_post || (x->have_alive && x->alive.len != x->n_local)) {
            PyErr_SetString(PyExc_ValueError, "pruned: a source's arrays differ in size");
            goto fail_src;
        }
    }
    if (get(o_total, &total, 8, 1, "total") < 0) goto fail_src;
    got = 1;
    if (get(o_src, &sv, 8, 0, "src") < 0) goto fail;
    got = 2;
    if (get(o_term, &tv, 8, 0, "term") < 0) goto fail;
    got = 3;
    if (get(o_begins, &bv, 8, 0, "begins") < 0) goto fail;
    got = 4;
    if (get(o_ends, &ev, 8, 0, "ends") < 0) goto fail;
    got = 5;
    if (get(o_idf, &iv, 4, 0, "idf") < 0) goto fail;
    got = 6;
    if (get(o_qw, &qv, 8, 0, "qweights") < 0) goto fail;
    got = 7;
    if (have_vis && get(o_vis, &vis, 1, 0, "visible") < 0) goto fail;
    got = 8;

    double *out = (double *)total.buf;
    const Py_ssize_t N = total.len / 8, L = sv.len / 8;
    const int64_t *ls = sv.buf, *lt = tv.buf, *lb = bv.buf, *le = ev.buf;
    const float *lidf = iv.buf;
    const double *lq = qv.buf;
    const char *visible = have_vis ? vis.buf : NULL;
    if (tv.len / 8 != L || bv.len / 8 != L || ev.len / 8 != L || iv.len / 4 != L ||
            qv.len / 8 != L || (have_vis && vis.len != N)) {
        PyErr_SetString(PyExc_ValueError, "pruned: arrays of inconsistent sizes");
        goto fail;
    }
    for (Py_ssize_t j = 0; j < L; j++) {
        const int64_t s = ls[j];
        if (s < 0 || s >= n_src || lb[j] < 0 || le[j] > src[s].n_post || lb[j] > le[j] ||
                lt[j] < 0 || lt[j] >= src[s].n_terms || src[s].offset + src[s].n_local > N) {
            PyErr_SetString(PyExc_ValueError, "pruned: a list out of its source's bounds");
            goto fail;
        }
        const int32_t *r = src[s].rows.buf;
        if (lb[j] < le[j] && (r[lb[j]] < 0 || r[le[j] - 1] >= src[s].n_local)) {
            PyErr_SetString(PyExc_ValueError, "pruned: a posting's row out of bounds");
            goto fail;
        }
    }
    heap = PyMem_Malloc(sizeof(double) * (n + 1));
    tracked = PyMem_Malloc(sizeof(int64_t) * PRUNE_TRACK);
    order = PyMem_Malloc(sizeof(Bound) * (L ? L : 1));
    if (heap == NULL || tracked == NULL || order == NULL) { PyErr_NoMemory(); goto fail; }

    /* the lists: unknown bounds first (in the caller's order), then by bound, largest first */
    Py_ssize_t n_unknown = 0, n_known = 0;
    double rest = 0.0;   /* the bounds of the lists not yet scanned, summed */
    for (Py_ssize_t j = 0; j < L; j++) {
        const float m = ((const float *)src[ls[j]].maxw.buf)[lt[j]];
        if (m > 0) {
            order[L - 1 - n_known].bound = (double)m * lq[j];
            order[L - 1 - n_known].list = j;
            rest += (double)m * lq[j];
            n_known++;
        } else {
            order[n_unknown].bound = -1.0; order[n_unknown].list = j; n_unknown++;
        }
    }
    qsort(order + n_unknown, n_known, sizeof(Bound), by_bound);

    Py_ssize_t n_tracked = 0, stop = L, k = 0;
    double theta = 0.0, most = 0.0;
    for (; k < L; k++) {
        const Py_ssize_t j = order[k].list;
        const Source *x = &src[ls[j]];
        const int32_t *r = x->rows.buf;
        const uint16_t *f = x->tf.buf;
        const float *nm = x->norms.buf;
        const char *live = x->have_alive ? x->alive.buf : NULL;
        const float idf_t = lidf[j];
        const double qw_t = lq[j];
        double *o = out + x->offset;
        float largest = 0;
        for (int64_t p = lb[j]; p < le[j]; p++) {
            const int32_t row = r[p];
            if (live && !live[row]) continue;
            const float freq = (float)f[p];
            const float weight = idf_t * freq * one / (freq + nm[row]);
            if (weight > largest) largest = weight;
            const double before = o[row];
            const double after = before + (double)weight * qw_t;
            o[row] = after;
            if (before == 0.0 && after > 0.0 && n_tracked < PRUNE_TRACK)
                tracked[n_tracked++] = x->offset + row;
            if (after > most) most = after;
        }
        if (order[k].bound < 0) {       /* learned: this list's bound from now on */
            ((float *)x->maxw.buf)[lt[j]] = largest;
        } else {
            rest -= order[k].bound;
        }
        if (k + 1 < n_unknown || k + 1 >= L) continue;
        /* can the lists left still lift a row they alone reach into the n + 1 best? */
        if (rest * (1 + PRUNE_MARGIN) >= most * (1 - PRUNE_MARGIN)) continue;
        Py_ssize_t m = 0;     /* the tracked rows that count (visible, > 0), compacted */
        for (Py_ssize_t i = 0; i < n_tracked; i++) {
            const int64_t g = tracked[i];
            if (out[g] > 0 && !(visible && !visible[g])) tracked[m++] = g;
        }
        n_tracked = m;
        if (m < n + 1) continue;
        theta = kth_largest(out, tracked, m, n + 1, heap);
        if (rest * (1 + PRUNE_MARGIN) < theta * (1 - PRUNE_MARGIN)) { stop = k + 1; break; }
    }
    /* the pool: every row the lists left could still lift into the n + 1 best (all lists
       scanned: the rows near or above the (n + 1)-th best partial) */
    Py_ssize_t n_pool = 0;
    if (pool_room < N) {    /* (kept between calls: 8 bytes a row, touched once) */
        int64_t *more = PyMem_Realloc(pool_kept, sizeof(int64_t) * (N ? N : 1));
        if (more == NULL) { PyErr_NoMemory(); goto fail; }
        pool_kept = more;
        pool_room = N;
    }
    pool = pool_kept;
    if (stop == L) {
        rest = 0.0;
        for (Py_ssize_t g = 0; g < N; g++) {   /* (branch-free: x > 0 is a coin toss) */
            pool[n_pool] = g;
            n_pool += (out[g] > 0) & !(visible && !visible[g]);
        }
        if (n_pool > n) {
            theta = kth_largest(out, pool, n_pool, n + 1, heap);
            const double floor = theta * (1 - PRUNE_MARGIN);
            Py_ssize_t m = 0;
            for (Py_ssize_t i = 0; i < n_pool; i++)
                if (out[pool[i]] * (1 + PRUNE_MARGIN) >= floor) pool[m++] = pool[i];
            n_pool = m;
        }
    } else {
        const double floor = theta * (1 - PRUNE_MARGIN);
        for (Py_ssize_t g = 0; g < N; g++) {
            const double x = out[g];
            pool[n_pool] = g;
            n_pool += (x > 0) & ((x + rest) * (1 + PRUNE_MARGIN) >= floor) &
                      !(visible && !visible[g]);
        }
    }
    for (k = stop; k < L && n_pool > 0; k++) {
        const Py_ssize_t j = order[k].list;
        const Source *x = &src[ls[j]];
        const int32_t *r = x->rows.buf;
        const uint16_t *f = x->tf.buf;
        const float *nm = x->norms.buf;
        const char *live = x->have_alive ? x->alive.buf : NULL;
        const float idf_t = lidf[j];
        const double qw_t = lq[j];
        int64_t p = lb[j];
        const int64_t e = le[j];
        if (n_pool * 4 > e - p) {   /* a pool as dense as the list: scan it (rows out of the
                                       pool gain too, and are never looked at again) */
            double *o = out + x->offset;
            for (; p < e; p++) {
                const int32_t row = r[p];
                if (live && !live[row]) continue;
                const float freq = (float)f[p];
                const float weight = idf_t * freq * one / (freq + nm[row]);
                o[row] += (double)weight * qw_t;
            }
        }
        for (Py_ssize_t i = 0; i < n_pool && p < e; i++) {
            const int64_t g = pool[i] - x->offset;
            if (g < 0) continue;
            if (g >= x->n_local) break;
            if (r[p] < g) {   /* gallop, then bisect */
                int64_t step = 1, hi = p + 1;
                while (hi < e && r[hi] < g) { p = hi; hi += step; step <<= 1; }
                p = lower_bound(r, p, hi < e ? hi + 1 : e, (int32_t)g);
                if (p >= e) break;
            }
            if (r[p] != g) continue;
            if (!(live && !live[g])) {
                const float freq = (float)f[p];
                const float weight = idf_t * freq * one / (freq + nm[g]);
                out[pool[i]] += (double)weight * qw_t;
            }
            p++;
        }
        rest -= order[k].bound;
        if (n_pool >= n + 1) {
            const double t = kth_largest(out, pool, n_pool, n + 1, heap);
            if (t > theta) theta = t;
        }
        const double floor = theta * (1 - PRUNE_MARGIN);
        Py_ssize_t m = 0;
        for (Py_ssize_t i = 0; i < n_pool; i++)
            if ((out[pool[i]] + (rest > 0 ? rest : 0)) * (1 + PRUNE_MARGIN) >= floor)
                pool[m++] = pool[i];
        n_pool = m;
    }
    if (stop < L && n_pool < n + 1) {   /* (cannot happen: the rows that set theta stay) */
        result = Py_NewRef(Py_None);
        goto done;
    }
    /* the pool's totals again, exactly as accumulate() adds them: lists in the caller's order */
    Item *items = PyMem_Malloc(sizeof(Item) * (n_pool ? n_pool : 1));
    if (items == NULL) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t i = 0; i < n_pool; i++) {
        const int64_t g = pool[i];
        double sum = 0.0;
        for (Py_ssize_t j = 0; j < L; j++) {
            const Source *x = &src[ls[j]];
            const int64_t local = g - x->offset;
            if (local < 0 || local >= x->n_local) continue;
            if (x->have_alive && !((const char *)x->alive.buf)[local]) continue;
            const int32_t *r = x->rows.buf;
            const int64_t p = lower_bound(r, lb[j], le[j], (int32_t)local);
            if (p >= le[j] || r[p] != local) continue;
            const float freq = (float)((const uint16_t *)x->tf.buf)[p];
            const float weight = lidf[j] * freq * one / (freq + ((const float *)x->norms.buf)[local]);
            sum += (double)weight * lq[j];
        }
        items[i].value = sum; items[i].row = g;
    }
    qsort(items, n_pool, sizeof(Item), best_first);
    int tie = 0;
    Py_ssize_t n_out = n_pool > n ? n : n_pool;   /* (at most n rows: all of them, as top()) */
    for (Py_ssize_t i = 0; n_pool > n && i < n; i++)
        if (items[i].value == items[i + 1].value) { tie = 1; break; }
    if (tie) {
        result = Py_NewRef(Py_None);
    } else {
        PyObject *rows = PyList_New(n_out), *sums = PyList_New(n_out);
        if (rows == NULL || sums == NULL) {
            Py_XDECREF(rows); Py_XDECREF(sums);
        } else {
            for (Py_ssize_t i = 0; i < n_out; i++) {
                PyObject *a = PyLong_FromSsize_t(items[i].row), *b = PyFloat_FromDouble(items[i].value);
                if (a == NULL || b == NULL) { Py_XDECREF(a); Py_XDECREF(b); Py_CLEAR(rows); break; }
                PyList_SET_ITEM(rows, i, a);
                PyList_SET_ITEM(sums, i, b);
            }
            if (rows != NULL) result = PyTuple_Pack(2, rows, sums);
            Py_XDECREF(rows); Py_DECREF(sums);
        }
    }
    PyMem_Free(items);
    goto done;
fail:
    result = NULL;
done:
    PyMem_Free(heap); PyMem_Free(tracked); PyMem_Free(order);
    if (got >= 8 && have_vis) PyBuffer_Release(&vis);
    if (got >= 7) PyBuffer_Release(&qv);
    if (got >= 6) PyBuffer_Release(&iv);
    if (got >= 5) PyBuffer_Release(&ev);
    if (got >= 4) PyBuffer_Release(&bv);
    if (got >= 3) PyBuffer_Release(&tv);
    if (got >= 2) PyBuffer_Release(&sv);
    if (got >= 1) PyBuffer_Release(&total);
fail_src:
    release_sources(src, n_src);
    PyMem_Free(src);
    if (PyErr_Occurred()) { Py_XDECREF(result); return NULL; }
    return result;
}

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

static PyMethodDef methods[] = {
    {"pruned", pruned, METH_VARARGS, "accumulate() + top() with MaxScore pruning: the same rows."},
    {"accumulate", accumulate, METH_VARARGS, "Add a field's terms' BM25 weights into totals."},
    {"top", top, METH_VARARGS, "The n best rows when unique, best first (None: a tie)."},
    {"containing", containing, METH_VARARGS, "Which spans of a text hold a needle whole."},
    {"layout", layout, METH_VARARGS, "The rerank's spans: texts and heads joined, offsets."},
    {"matrix", matrix, METH_VARARGS, "The rerank's spans x units scores (_Spans.match)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_bm25",
                                    "BM25 candidates' inner loops (optional).", -1, methods};

PyMODINIT_FUNC
PyInit__bm25(void)
{
    return PyModule_Create(&module);
}
