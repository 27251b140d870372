# Queue list, phone layout, ticket sidebar, keyboard shortcuts (issue 23).

# Sortable column headers; $column is the column.
sort-column = Sort by “{ $column }”
# Paging.
pager-prev = Previous page
pager-page = Page { $page } of { $pages }
pager-page-only = Page { $page }
pager-size = Tickets per page
pager-size-one = { $size } per page
# The filter bar that opens on demand.
filter-toggle = Filters and sorting
filter-active = Filters active
filter-field-value-hint = Searches what was entered in a help topic's own fields when the ticket was opened, e.g. a customer number.
# Select every row of the page for a bulk action.
select-all = Select all tickets on this page
# Saved views.
views-title = Saved views
views-save = Save this view
views-name = Name of the view
views-name-hint = The queue, search, filters, sorting and page size are saved.
views-share = Share with all agents
views-shared = shared
views-delete = Delete view “{ $name }”
views-save-submit = Save view
done-view-saved = The view was saved.
done-view-deleted = The view was deleted.
view-error-query-too-long = This view has too many filters to be saved.
view-error-share-admin = Only administrators can share views with everyone.
view-error-too-many = You have saved 50 views already. Delete one first.
view-error-not-yours = This view belongs to someone else; only whoever saved it can delete it.
# Keyboard shortcuts and their help.
shortcuts-title = Keyboard shortcuts
shortcuts-open = Show keyboard shortcuts
shortcuts-hint = Keyboard shortcuts: ?
shortcut-next = Next ticket in the list
shortcut-prev = Previous ticket in the list
shortcut-open = Open the marked ticket
shortcut-search = Search
shortcut-claim = Claim the ticket
shortcut-reply = Write a reply
shortcut-note = Write an internal note
shortcut-help = Show or hide this help
shortcuts-typing = Shortcuts do not apply while typing in a field; Esc leaves the field.
shortcuts-close = Close
# The header on a phone.
menu = Menu
# The ticket's actions at the top of the page.
ticket-actions = Ticket actions
# Status, priority and due date in one form.
done-state = Status, priority and due date were saved.
# Revoking access links: the question first.
revoke-confirm-title = Revoke access links?
revoke-confirm-text = All of { $name }'s access links to this ticket stop working, and open sessions no longer see the ticket. { $name } can get back in with the ticket number and email address.
revoke-confirm = Yes, revoke access links
