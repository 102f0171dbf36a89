/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for the selftests: enough to walk what bpftool -j
 * prints (objects, arrays, numbers, strings, true/false/null).  The whole
 * document becomes a tree of struct edna_json nodes; free it with
 * edna_json_free().  Numbers keep their unsigned 64-bit value exactly.
 */
#ifndef EDNA_JSON_H
#define EDNA_JSON_H

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum edna_json_type { EDNA_JSON_NULL, EDNA_JSON_BOOL, EDNA_JSON_NUMBER, EDNA_JSON_STRING,
		      EDNA_JSON_ARRAY, EDNA_JSON_OBJECT };

struct edna_json {
	enum edna_json_type type;
	char *name;			/* member name inside an object */
	char *string;			/* EDNA_JSON_STRING */
	unsigned long long number;	/* EDNA_JSON_NUMBER (negatives wrap), BOOL */
	struct edna_json *child;	/* first element or member */
	struct edna_json *next;		/* next sibling */
};

static inline void edna_json_free(struct edna_json *j)
{
	while (j) {
		struct edna_json *next = j->next;

		edna_json_free(j->child);
		free(j->name);
		free(j->string);
		free(j);
		j = next;
	}
}

static inline void edna_json_skip(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

/* A string at *@p (after its opening quote); escapes other than \" \\ kept raw. */
static inline char *edna_json_string(const char **p)
{
	const char *s = *p;
	size_t n = 0;
	char *out;

	while (s[n] && s[n] != '"')
		n += s[n] == '\\' && s[n + 1] ? 2 : 1;
	if (s[n] != '"')
		return NULL;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0, o = 0; i <= n; i++) {
		if (i == n) {
			out[o] = '\0';
			break;
		}
		if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
			i++;
		out[o++] = s[i];
	}
	*p = s + n + 1;
	return out;
}

static inline struct edna_json *edna_json_value(const char **p, int depth);

/* Members of an object or elements of an array, up to @close. */
static inline int edna_json_children(const char **p, struct edna_json *parent, char close,
				     int depth)
{
	struct edna_json **tail = &parent->child;

	edna_json_skip(p);
	if (**p == close) {
		(*p)++;
		return 0;
	}
	for (;;) {
		char *name = NULL;
		struct edna_json *v;

		edna_json_skip(p);
		if (close == '}') {
			if (**p != '"')
				return -1;
			(*p)++;
			name = edna_json_string(p);
			edna_json_skip(p);
			if (!name || **p != ':') {
				free(name);
				return -1;
			}
			(*p)++;
		}
		v = edna_json_value(p, depth + 1);
		if (!v) {
			free(name);
			return -1;
		}
		v->name = name;
		*tail = v;
		tail = &v->next;
		edna_json_skip(p);
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p == close) {
			(*p)++;
			return 0;
		}
		return -1;
	}
}

static inline struct edna_json *edna_json_value(const char **p, int depth)
{
	struct edna_json *j;

	if (depth > 64)
		return NULL;
	edna_json_skip(p);
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	if (**p == '{' || **p == '[') {
		char close = **p == '{' ? '}' : ']';

		j->type = close == '}' ? EDNA_JSON_OBJECT : EDNA_JSON_ARRAY;
		(*p)++;
		if (edna_json_children(p, j, close, depth)) {
			edna_json_free(j);
			return NULL;
		}
	} else if (**p == '"') {
		(*p)++;
		j->type = EDNA_JSON_STRING;
		j->string = edna_json_string(p);
		if (!j->string) {
			free(j);
			return NULL;
		}
	} else if (**p == '-' || isdigit((unsigned char)**p)) {
		char *end;

		j->type = EDNA_JSON_NUMBER;
		if (**p == '-')
			j->number = (unsigned long long)strtoll(*p, &end, 10);
		else
			j->number = strtoull(*p, &end, 10);
		/* Fractions and exponents are not used by bpftool's integers. */
		while (*end == '.' || *end == 'e' || *end == 'E' || *end == '+' || *end == '-' ||
		       isdigit((unsigned char)*end))
			end++;
		*p = end;
	} else if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
		j->type = EDNA_JSON_BOOL;
		j->number = **p == 't';
		*p += j->number ? 4 : 5;
	} else if (!strncmp(*p, "null", 4)) {
		j->type = EDNA_JSON_NULL;
		*p += 4;
	} else {
		free(j);
		return NULL;
	}
	return j;
}

/* The document in @text, or NULL when it is not JSON. */
static inline struct edna_json *edna_json_parse(const char *text)
{
	struct edna_json *j = edna_json_value(&text, 0);

	if (!j)
		return NULL;
	edna_json_skip(&text);
	if (*text) {
		edna_json_free(j);
		return NULL;
	}
	return j;
}

/* Member @name of object @j, or NULL. */
static inline const struct edna_json *edna_json_get(const struct edna_json *j, const char *name)
{
	const struct edna_json *c;

	if (!j || j->type != EDNA_JSON_OBJECT)
		return NULL;
	for (c = j->child; c; c = c->next)
		if (c->name && !strcmp(c->name, name))
			return c;
	return NULL;
}

/* The number in member @name of @j, or in its member @name2 when set; @dflt if none. */
static inline unsigned long long edna_json_u64(const struct edna_json *j, unsigned long long dflt,
					       const char *name, const char *name2)
{
	j = edna_json_get(j, name);
	if (name2)
		j = edna_json_get(j, name2);
	return j && j->type == EDNA_JSON_NUMBER ? j->number : dflt;
}

#endif /* EDNA_JSON_H */
