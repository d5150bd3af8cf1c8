/* wa_routes: the WhatsApp driver's HTTP side, served by the server through
 * the driver's route table (channel_driver.routes, http/http.h: route_t):
 * the webhook (wa_webhook.c) and the simulator (wa_sim.c). Internal to
 * the driver. */
#ifndef ADUAN_WA_ROUTES_H
#define ADUAN_WA_ROUTES_H

#include "http/http.h"

/* GET /webhooks/whatsapp: Meta's verification handshake. */
err_t h_wa_verify(app_t *app, req_t *r);
/* POST /webhooks/whatsapp: a signed body, stored durably before the 200. */
err_t h_wa_receive(app_t *app, req_t *r);

/* The simulator (R_SIM: only while the driver is not live). */
err_t h_sim_numbers(app_t *app, req_t *r);
err_t h_sim_send(app_t *app, req_t *r);
err_t h_sim_messages(app_t *app, req_t *r);
/* GET /sim/api/media/{sha256}?wa_id=: a document the simulated agency sent
 * that number (an issued PDF), to open in the simulator. */
err_t h_sim_media(app_t *app, req_t *r);
/* GET /sim/api/staff: the staff numbers an admin may act as. */
err_t h_sim_staff(app_t *app, req_t *r);
/* The media id of a document sent while simulating: this prefix and the
 * sha256 of the file in the media directory (wa_media.c). */
#define SIM_MEDIA_PREFIX "sim-media-"
/* Largest document the simulator opens. */
#define SIM_DOCUMENT_MAX (16 * 1024 * 1024)
/* Largest simulator upload: a 2 MB photo in base64 with its envelope. */
#define SIM_BODY_MAX (3 * 1024 * 1024)

#endif
