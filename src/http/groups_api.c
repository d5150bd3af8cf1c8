/* The members of a community reporter group, for the admin page (issue #5):
 * their WhatsApp numbers are personal data, shown to the agency's desk only. */
#include "http/http.h"

#include <string.h>

err_t h_group_members(app_t *app, req_t *r)
{
    const store_group g = r->scope.group; /* the desk's: checked by the router */
    store_group_member *m;
    size_t n = 0;
    err_t e = store_group_members(app->store, r->ar, g.id, &m, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:s?, s:o}", "mobile", m[i].mobile, "name",
                                               m[i].name, "since", json_time(m[i].created_at)));
    return reply_json(r, 200,
                      json_pack("{s:I, s:I, s:s, s:o}", "id", (json_int_t)g.id, "agency_id",
                                (json_int_t)g.agency_id, "name", g.name, "members", items));
}
