/* Kept page translations validated together (struct vcpu_page_set, svm/vcpu.h; gva.h).
 *
 * Why a kept page equals a new walk: the walk (svm/emul/gva.c) reads nothing but CR0, CR3, CR4,
 * EFER and the paging entries on its way, and sets no accessed or dirty bits (APM vol. 2, 5.3;
 * the CPU sets them, the model's walk does not), so with those inputs unchanged it reads the same
 * entries and ends at the same page. The union keeps each distinct entry once: pages of one
 * region share their upper levels, and one compare covers every slot that read the entry. */
#include "svm/emul/gva.h"
#include "svm/guest_mem.h"
#include "lib/kstring.h"

bool svm_gva_set_reset(struct vcpu *v, struct vcpu_page_set *set)
{
	const struct vmcb_save *s = &v->vmcb->save;
	memset(set->host, 0, sizeof(set->host));
	set->nr_entries = 0;
	set->gen++;
	set->cr0 = s->cr0;
	set->cr3 = s->cr3;
	set->cr4 = s->cr4;
	set->efer = s->efer;
	return false;
}

/* Empties slot and drops the entries only its walk read. */
static void set_drop_slot(struct vcpu_page_set *set, unsigned slot)
{
	set->host[slot] = NULL;
	unsigned kept = 0;
	for (unsigned i = 0; i < set->nr_entries; i++) {
		u8 users = (u8)(set->users[i] & ~BIT(slot));
		if (!users)
			continue;
		set->entry[kept] = set->entry[i];
		set->value[kept] = set->value[i];
		set->users[kept] = users;
		kept++;
	}
	set->nr_entries = (u8)kept;
}

/* Adds slot's use of one entry. The set was checked, so an entry already there holds the value
 * the walk just read. Room is certain: each slot adds at most VCPU_WALK_MAX entries. */
static void set_add_entry(struct vcpu_page_set *set, unsigned slot, const void *entry, u64 value)
{
	for (unsigned i = 0; i < set->nr_entries; i++)
		if (set->entry[i] == entry) {
			set->users[i] |= (u8)BIT(slot);
			return;
		}
	set->entry[set->nr_entries] = entry;
	set->value[set->nr_entries] = value;
	set->users[set->nr_entries] = (u8)BIT(slot);
	set->nr_entries++;
}

u8 *svm_gva_set_fill(struct vcpu *v, struct vcpu_page_set *set, unsigned slot, u64 page)
{
	set->gen++;
	set_drop_slot(set, slot);
	struct vcpu_walk rec = { .n = 0 };
	u64 gpa;
	if (!svm_gva_to_gpa_recorded(v, page, &gpa, &rec))
		return NULL;
	u8 *host = svm_gpa_ptr(v->vm, gpa, PAGE_SIZE);
	if (!host)
		return NULL;
	if (rec.lost)
		return host; /* not kept: the caller still gets this walk's page */
	for (unsigned i = 0; i < rec.n; i++)
		set_add_entry(set, slot, rec.entry[i], rec.value[i]);
	set->lin_page[slot] = page;
	set->host[slot] = host;
	return host;
}

_Static_assert(VCPU_SET_ENTRIES <= 255, "nr_entries is a u8");
