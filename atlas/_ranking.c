/* The search's ranking for SQLite's FTS5: bm25 with the document count of each phrase handed in by the caller.

   FTS5's own bm25() counts, on the first row of every query, how many documents of the whole index hold each
   phrase – running each phrase over the whole index (xQueryPhrase: a word in 100,000 documents 2 ms, at 1M 20 ms;
   atlas.ranking). Here the counts are made once by phrase_documents() and kept by the caller until the data changes;
   bm25_counted() takes them and reads per row only the given phrases – the query's words, which come first in its
   expression; the phrases after them (places, Handlungsfelder) weigh nothing in the atlas's ranking. The score is
   the one bm25(table, 1.0, 0.0, …) gives for the same counts: the same formula (FTS5's documentation: k1 = 1.2,
   b = 0.75, IDF = log((N - n + 0.5) / (n + 0.5)), at least 1e-6), the same order of operations, the first column
   weighted 1 and the others 0; to the bit where neither this nor SQLite's build fuses a multiply and an add
   (x86-64: setup.py compiles with -ffp-contract=off).

   SQL:
     phrase_documents(table, i, j, …) – on a row of a query: the index's rows and tokens, and how many documents of
                                  the whole index hold each of the query's phrases i, j, … (numbered from 0),
                                  counted as bm25() counts them, as text ("100000 5230112 12 0 3501")
     bm25_counted(table, rows, tokens, count of phrase 0, count of phrase 1, …) – the score; one set of counts per
                                  statement. A count given as NULL is counted here, as bm25() counts it (a word
                                  shorter than the shortest prefix index: counting it apart would read it once more
                                  than this does). Counts made of other data than the statement reads (its rows or
                                  tokens differ, or are NULL: a publication landed in between) are not used: the
                                  phrases are counted here then.

   Each scored row's length in tokens (D) comes from xColumnSize, which runs FTS5's own statement on the table's
   docsize row – a B-tree lookup per row, 7 % of a new search's CPU (docs/benchmarks.md, stop 54). So the lengths are
   kept per connection (Lengths), filled as rows are scored: by rowid, for one table (its address, rows and tokens),
   of one version of the data (SQLITE_FCNTL_DATA_VERSION, which any commit moves, the connection's own too; a rolled
   back schema change does not, but frees the connection's tables, and another may take a freed one's address: the
   rows and tokens tell it apart, short of a table with the very same counts). Nothing is made on a publication:
   the first statement that sees another version drops them all. A statement of a connection that is writing (its
   own changes are not in the version yet, and a rollback takes them back) or that wrote since the statement began
   reads xColumnSize. The same integer as xColumnSize gives, so the same score.

   Registered for every SQLite connection the process opens after atlas._ranking.register() (sqlite3_auto_extension:
   Python's sqlite3 module may not load extensions). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define KEPT_ROWIDS ((sqlite3_int64)1 << 24)  /* rowids from 1 to below this are kept: at most 32 MB a connection */
#define KEPT_LENGTH (UINT16_MAX - 1)  /* longer documents (none of the atlas's comes near) are read each time */

typedef struct {
    const void *table;           /* the FTS5 table the lengths are of (table_of) */
    sqlite3_int64 rows, tokens;  /* its rows and tokens then: a table at a freed one's address (a rolled back schema
                                    change frees the connection's tables; the data version stays) is told by these */
    unsigned int version[2];     /* the data versions of main and temp they were read in */
    sqlite3_int64 generation;    /* moved whenever they are dropped: a statement that began before reads no more */
    uint16_t *lengths;           /* by rowid: the length + 1, 0 where not known (2 bytes: 2.5 MB at a million rowids,
                                    with the room kept_room adds) */
    sqlite3_int64 size;          /* entries allocated */
    sqlite3_int64 low, high;     /* the range filled since they were dropped, to clear; low > high where none */
} Lengths;

typedef struct {
    int given;              /* the arguments after the table: rows, tokens and a count per phrase */
    double avgdl;           /* the average document length, in tokens of all columns */
    sqlite3_int64 *values;  /* as given: every call of the statement must give the same */
    Lengths *kept;          /* the connection's lengths, if this statement may use them */
    sqlite3 *db;
    sqlite3_int64 generation, changes;  /* the lengths' generation and the connection's changes when it began */
    double idf[];
} Counted;

static int count_hit(const Fts5ExtensionApi *api, Fts5Context *fts, void *hits) {
    (void)api; (void)fts;
    (*(sqlite3_int64 *)hits)++;
    return SQLITE_OK;
}

static int documents(const Fts5ExtensionApi *api, Fts5Context *fts, int phrase, sqlite3_int64 *hits) {
    *hits = 0;
    return api->xQueryPhrase(fts, phrase, hits, count_hit);
}

static void phrase_documents(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int given,
                             sqlite3_value **values) {
    int valid = given >= 1;
    for (int i = 0; valid && i < given; i++) {
        valid = sqlite3_value_numeric_type(values[i]) == SQLITE_INTEGER && sqlite3_value_int64(values[i]) >= 0
                && sqlite3_value_int64(values[i]) < api->xPhraseCount(fts);
    }
    if (!valid) {
        sqlite3_result_error(context, "phrase_documents: the table and the numbers of the query's phrases to count",
                             -1);
        return;
    }
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return; }
    char *text = sqlite3_malloc64((sqlite3_uint64)(given + 2) * 21 + 1);
    if (text == NULL) { sqlite3_result_error_nomem(context); return; }
    size_t length = (size_t)snprintf(text, 43, "%lld %lld", (long long)rows, (long long)tokens);
    for (int i = 0; i < given; i++) {
        sqlite3_int64 hits = 0;
        rc = documents(api, fts, (int)sqlite3_value_int64(values[i]), &hits);
        if (rc != SQLITE_OK) { sqlite3_free(text); sqlite3_result_error_code(context, rc); return; }
        length += (size_t)snprintf(text + length, 22, " %lld", (long long)hits);
    }
    sqlite3_result_text(context, text, (int)length, sqlite3_free);
}

#define NOT_GIVEN (-1)  /* a count given as NULL: not known, counted here */

static int whole_count(sqlite3_value *value) {
    return sqlite3_value_numeric_type(value) == SQLITE_INTEGER && sqlite3_value_int64(value) >= 0;
}

static int count_or_null(sqlite3_value *value) {
    return sqlite3_value_type(value) == SQLITE_NULL || whole_count(value);
}

static sqlite3_int64 count_of(sqlite3_value *value) {
    return sqlite3_value_type(value) == SQLITE_NULL ? NOT_GIVEN : sqlite3_value_int64(value);
}

/* FTS5 hands an auxiliary function its cursor as the Fts5Context (fts5_main.c casts it back), and a virtual table's
   cursor begins with the public sqlite3_vtab_cursor: its table, compared only, never read through */
static const void *table_of(Fts5Context *fts) {
    return ((sqlite3_vtab_cursor *)(void *)fts)->pVtab;
}

static void drop_lengths(Lengths *kept) {
    if (kept->low <= kept->high) {
        memset(kept->lengths + kept->low, 0, (size_t)(kept->high - kept->low + 1) * sizeof(uint16_t));
    }
    kept->low = KEPT_ROWIDS;
    kept->high = -1;
    kept->generation++;
}

/* The connection's lengths where the statement may read and fill them, dropped first if they are of other data or
   another table; NULL where it may not: a write transaction's changes are not in the data version yet. */
static Lengths *usable_lengths(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3 *db, sqlite3_int64 rows,
                               sqlite3_int64 tokens) {
    Lengths *kept = (Lengths *)api->xUserData(fts);
    if (kept == NULL || sqlite3_txn_state(db, NULL) == SQLITE_TXN_WRITE) return NULL;
    if (sqlite3_db_name(db, 2) != NULL) return NULL;  /* an attached database: its versions are not followed */
    unsigned int version[2] = {0, 0};
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &version[0]) != SQLITE_OK) return NULL;
    if (sqlite3_file_control(db, "temp", SQLITE_FCNTL_DATA_VERSION, &version[1]) != SQLITE_OK) version[1] = 0;
    if (kept->table != table_of(fts) || kept->rows != rows || kept->tokens != tokens || kept->version[0] != version[0]
        || kept->version[1] != version[1]) {
        drop_lengths(kept);
        kept->table = table_of(fts);
        kept->rows = rows;
        kept->tokens = tokens;
        kept->version[0] = version[0];
        kept->version[1] = version[1];
    }
    return kept;
}

static int kept_room(Lengths *kept, sqlite3_int64 rowid) {
    if (rowid < kept->size) return 1;
    sqlite3_int64 size = rowid + rowid / 4 + 1024;
    if (size > KEPT_ROWIDS) size = KEPT_ROWIDS;
    uint16_t *grown = sqlite3_realloc64(kept->lengths, (sqlite3_uint64)size * sizeof(uint16_t));
    if (grown == NULL) return 0;  /* out of memory: this row's length is read, not kept */
    memset(grown + kept->size, 0, (size_t)(size - kept->size) * sizeof(uint16_t));
    kept->lengths = grown;
    kept->size = size;
    return 1;
}

/* The row's length in tokens of all columns: xColumnSize's, kept for the next statements of the same data */
static int document_length(const Fts5ExtensionApi *api, Fts5Context *fts, Counted *known, int *length) {
    Lengths *kept = known->kept;
    if (kept == NULL || kept->generation != known->generation
        || sqlite3_total_changes64(known->db) != known->changes) {
        return api->xColumnSize(fts, -1, length);
    }
    sqlite3_int64 rowid = api->xRowid(fts);
    if (rowid < 1 || rowid >= KEPT_ROWIDS) return api->xColumnSize(fts, -1, length);
    if (rowid < kept->size && kept->lengths[rowid] != 0) {
        *length = (int)(kept->lengths[rowid] - 1);
        return SQLITE_OK;
    }
    int rc = api->xColumnSize(fts, -1, length);
    if (rc == SQLITE_OK && *length >= 0 && *length <= KEPT_LENGTH && kept_room(kept, rowid)) {
        kept->lengths[rowid] = (uint16_t)(*length + 1);
        if (rowid < kept->low) kept->low = rowid;
        if (rowid > kept->high) kept->high = rowid;
    }
    return rc;
}

static Counted *counted(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int given,
                        sqlite3_value **values) {
    Counted *known = (Counted *)api->xGetAuxdata(fts, 0);
    if (known != NULL) {  /* FTS5 keeps it per statement and function: another call of it must not differ */
        int same = known->given == given;
        for (int i = 0; same && i < given; i++) {
            same = count_or_null(values[i]) && count_of(values[i]) == known->values[i];
        }
        if (same) return known;
        sqlite3_result_error(context, "bm25_counted: one statement, one set of counts", -1);
        return NULL;
    }
    if (given < 2 || given - 2 > api->xPhraseCount(fts)) {
        sqlite3_result_error(context, "bm25_counted: the table, its rows and tokens, and at most a count per phrase",
                             -1);
        return NULL;
    }
    for (int i = 0; i < given; i++) {
        if (!count_or_null(values[i])) {
            sqlite3_result_error(context, "bm25_counted: a count is not a whole number", -1);
            return NULL;
        }
    }
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return NULL; }
    int phrases = given - 2;
    int same_data = count_of(values[0]) == rows && count_of(values[1]) == tokens;
    known = sqlite3_malloc64(sizeof(Counted) + (sizeof(double) + sizeof(sqlite3_int64)) * (sqlite3_uint64)given);
    if (known == NULL) { sqlite3_result_error_nomem(context); return NULL; }
    known->given = given;
    known->avgdl = (double)tokens / (double)rows;
    known->values = (sqlite3_int64 *)&known->idf[given];
    for (int i = 0; i < given; i++) known->values[i] = count_of(values[i]);
    for (int i = 0; i < phrases; i++) {
        sqlite3_int64 hits = known->values[i + 2];
        if ((!same_data || hits == NOT_GIVEN) && (rc = documents(api, fts, i, &hits)) != SQLITE_OK) {
            sqlite3_free(known);
            sqlite3_result_error_code(context, rc);
            return NULL;
        }
        double idf = log((rows - hits + 0.5) / (hits + 0.5));
        /* bm25()'s floor; a count beyond every document, which bm25() never meets, gives NaN: floored too */
        known->idf[i] = idf > 0.0 ? idf : 1e-6;
    }
    known->db = sqlite3_context_db_handle(context);
    known->kept = usable_lengths(api, fts, known->db, rows, tokens);
    known->generation = known->kept ? known->kept->generation : 0;
    known->changes = sqlite3_total_changes64(known->db);
    rc = api->xSetAuxdata(fts, known, sqlite3_free);  /* frees it on failure too */
    if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return NULL; }
    return known;
}

static void bm25_counted(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int given,
                         sqlite3_value **counts) {
    const double k1 = 1.2, b = 0.75;
    Counted *known = counted(api, fts, context, given, counts);
    if (known == NULL) return;
    int length = 0;
    int rc = document_length(api, fts, known, &length);
    if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return; }
    double D = (double)length, score = 0.0;
    for (int i = 0; i < known->given - 2; i++) {
        Fts5PhraseIter at;
        int column = -1, offset = -1;
        double frequency = 0.0;
        rc = api->xPhraseFirst(fts, i, &at, &column, &offset);
        if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return; }
        for (; column >= 0; api->xPhraseNext(fts, &at, &column, &offset)) {
            if (column == 0) frequency += 1.0;
        }
        score += known->idf[i] * ((frequency * (k1 + 1.0)) / (frequency + k1 * (1 - b + b * D / known->avgdl)));
    }
    sqlite3_result_double(context, -1.0 * score);
}

static void free_lengths(void *kept) {  /* when the connection closes */
    sqlite3_free(((Lengths *)kept)->lengths);
    sqlite3_free(kept);
}

static int add_to(sqlite3 *db, const char **message, const void *routines) {
    (void)message; (void)routines;
    fts5_api *fts5 = NULL;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(statement, 1, (void *)&fts5, "fts5_api_ptr", NULL);
        sqlite3_step(statement);
    }
    sqlite3_finalize(statement);
    if (fts5 == NULL || fts5->iVersion < 2) return SQLITE_OK;  /* no FTS5: nothing to rank, the connection works */
    Lengths *kept = sqlite3_malloc64(sizeof(Lengths));  /* out of memory: scored without, from xColumnSize */
    if (kept != NULL) {
        *kept = (Lengths){.table = NULL, .rows = -1, .tokens = -1, .lengths = NULL, .size = 0, .low = KEPT_ROWIDS,
                          .high = -1};
    }
    int rc = fts5->xCreateFunction(fts5, "bm25_counted", kept, bm25_counted, kept ? free_lengths : NULL);
    if (rc != SQLITE_OK && kept != NULL) free_lengths(kept);  /* FTS5 calls xDestroy only once it holds the function */
    if (rc == SQLITE_OK) rc = fts5->xCreateFunction(fts5, "phrase_documents", NULL, phrase_documents, NULL);
    return rc;
}

static PyObject *register_function(PyObject *module, PyObject *unused) {
    (void)module; (void)unused;
    int rc = sqlite3_auto_extension((void (*)(void))add_to);
    if (rc != SQLITE_OK) return PyErr_Format(PyExc_RuntimeError, "sqlite3_auto_extension: %s", sqlite3_errstr(rc));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"register", register_function, METH_NOARGS,
     "Give every SQLite connection opened from now on the FTS5 functions bm25_counted and phrase_documents."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "atlas._ranking", .m_size = -1, .m_methods = methods,
};

PyMODINIT_FUNC PyInit__ranking(void) { return PyModule_Create(&module); }
