/* cli/yaml_flat.h: the flat option: value mapping, through libyaml's event parser. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "cli/yaml_flat.h"

bool cli_yaml_flat_read(const char *path, const char *prog, cli_yaml_flat_fn fn, void *ctx)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open config file %s: %s\n", prog, path, strerror(errno));
		return false;
	}
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	bool ok = true, done = false, have_key = false, in_list = false;
	int depth = 0;
	char key[160] = "", list[4096] = "";
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "%s: %s line %zu: %s\n", prog, path, p.problem_mark.line + 1,
				p.problem ? p.problem : "YAML error");
			ok = false;
			break;
		}
		const char *value = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
			if (++depth > 1) {
				fprintf(stderr, "%s: %s line %zu: nested mappings are not options\n", prog,
					path, ev.start_mark.line + 1);
				ok = false;
			}
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (!have_key || in_list) {
				fprintf(stderr, "%s: %s line %zu: unexpected list\n", prog, path,
					ev.start_mark.line + 1);
				ok = false;
			}
			in_list = true;
			list[0] = '\0';
			break;
		case YAML_SCALAR_EVENT:
			if (in_list) {
				if (list[0])
					strncat(list, ",", sizeof list - strlen(list) - 1);
				strncat(list, (const char *)ev.data.scalar.value,
					sizeof list - strlen(list) - 1);
			} else if (!have_key) {
				snprintf(key, sizeof key, "%s", (const char *)ev.data.scalar.value);
				have_key = true;
			} else {
				value = (const char *)ev.data.scalar.value;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
			in_list = false;
			value = list;
			break;
		default:
			break;
		}
		if (ok && value) {
			ok = fn(key, value, ev.type == YAML_SEQUENCE_END_EVENT, ctx);
			have_key = false;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	fclose(f);
	return ok;
}
