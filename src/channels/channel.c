/* The registry of channel drivers (channel.h). A new channel adds its
 * driver here (docs/CHANNELS.md). */
#include "channels/channel.h"

#include "channels/whatsapp/wa.h"

#include <string.h>

static const channel_driver *const DRIVERS[] = {
    &wa_driver,
};

const channel_driver *channel_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof DRIVERS / sizeof DRIVERS[0]; i++)
        if (strcmp(DRIVERS[i]->name, name) == 0)
            return DRIVERS[i];
    return NULL;
}

const char *channel_for_mobile(void)
{
    for (size_t i = 0; i < sizeof DRIVERS / sizeof DRIVERS[0]; i++)
        if (DRIVERS[i]->caps.mobile_address)
            return DRIVERS[i]->name;
    return NULL;
}

const channel_driver *channel_at(size_t i)
{
    return i < sizeof DRIVERS / sizeof DRIVERS[0] ? DRIVERS[i] : NULL;
}
