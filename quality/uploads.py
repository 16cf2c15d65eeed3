"""The evidence size limit, kept while the request body is read: an upload handler put first
on the evidence views (the figure's page, the API's evidence action) stops reading as soon as
the files pass EVIDENCE_MAX_BYTES, or at the first file when the body declares more than that
and a form around it, so that no more than the limit is ever read, held or spooled to disk.
The view then answers with evidence.size_check's message."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from quality import evidence

# What our forms send beside the file: the CSRF token, the action, the page to go back to.
FORM_BYTES = 64 * 1024


class SizeLimit(FileUploadHandler):
    """Counts the bytes of the files as they come and stops the upload past the limit; passes
    every chunk on to Django's own handlers, which keep the file."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = evidence.max_bytes()
        self.declared = 0  # the body's Content-Length
        self.received = 0  # bytes of files handed to this handler
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length  # the parsing stays Django's (None)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.declared > self.limit + FORM_BYTES:
            self._stop()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None  # the file is kept by the handlers after this one

    def _stop(self):
        self.exceeded = True
        # Not a byte more is read: the rest of the body is left to the server (or the proxy
        # in front) to discard, instead of being read here only to be thrown away.
        raise StopUpload(connection_reset=True)


def limit_install(request) -> None:
    """Put the size limit before Django's handlers; before anything reads the body (the CSRF
    check included, hence csrf_exempt on the view and csrf_protect inside it)."""
    request.upload_handlers.insert(0, SizeLimit(request))


def limit_check(request) -> None:
    """Raise evidence.size_check's ValidationError if the upload was stopped (reads the body
    under the limit if nothing has yet)."""
    request.FILES  # noqa: B018 (the body parsed, with the limit, if it was not yet)
    for handler in request.upload_handlers:
        if isinstance(handler, SizeLimit) and handler.exceeded:
            evidence.size_check(max(handler.declared, handler.received))
