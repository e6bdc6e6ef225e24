"""Why a file could not be read, said to the instructeur.

Every failure of `pipeline.documents.read_document` is one of these exceptions: a short
stable `code` for the data (ledgers, `DocumentEntry.error`, JSON), a French `message` that
names the file and what is wrong with it, and a French `hint` saying what to do next.
No raw traceback reaches the user: the original exception, when there is one, stays
attached as `__cause__` for the logs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar


class DocumentError(Exception):
    """A file that cannot be read as a document.

    Subclasses fix `code`, the message `template` (formatted with `name`, the file's
    display name, and `detail`, a precision given by the reader) and the default `hint`.
    """

    code: ClassVar[str] = "document_error"
    template: ClassVar[str] = "Le fichier « {name} » n'a pas pu être lu{detail}."
    default_hint: ClassVar[str] = (
        "Ouvrez le fichier sur votre poste pour vérifier qu'il est lisible, puis déposez-le "
        "à nouveau, de préférence en PDF."
    )

    def __init__(
        self,
        path: Path | str,
        *,
        name: str | None = None,
        detail: str = "",
        message: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = name or self.path.name
        self.message = message or self.template.format(name=self.name, detail=detail)
        self.hint = hint if hint is not None else self.default_hint
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions are pickled as cls(*args); ours take keywords, so rebuild explicitly
        # (flows may send errors across processes).
        return (_rebuild, (type(self), self.path, self.name, self.message, self.hint))

    def as_dict(self) -> dict[str, str]:
        """The error as data (for ledgers and JSON outputs)."""
        return {
            "code": self.code,
            "path": str(self.path),
            "message": self.message,
            "hint": self.hint,
        }


def _rebuild(
    cls: type[DocumentError], path: Path, name: str, message: str, hint: str
) -> DocumentError:
    return cls(path, name=name, message=message, hint=hint)


class NotFoundError(DocumentError, FileNotFoundError):
    """The path does not exist or is not a regular file (also a `FileNotFoundError`, so
    callers that only know the standard exception still catch it)."""

    code = "not_found"
    template = "Le fichier « {name} » est introuvable{detail}."
    default_hint = (
        "Vérifiez le chemin du fichier ; s'il était sur un partage réseau, vérifiez que le "
        "partage est accessible."
    )


class UnreadableFileError(DocumentError):
    """The file exists but the operating system refuses to read it."""

    code = "unreadable_file"
    template = "Le fichier « {name} » ne peut pas être ouvert{detail}."
    default_hint = (
        "Vérifiez les droits d'accès au fichier (ou qu'il n'est pas ouvert et verrouillé par "
        "un autre logiciel), puis relancez la lecture."
    )


class EmptyFileError(DocumentError):
    code = "empty_file"
    template = "Le fichier « {name} » est vide{detail}."
    default_hint = (
        "Le dépôt ou la copie du fichier a probablement échoué : demandez au porteur de "
        "renvoyer la pièce."
    )


class EncryptedPdfError(DocumentError):
    code = "encrypted_pdf"
    template = "Le fichier « {name} » est un PDF protégé par un mot de passe{detail}."
    default_hint = (
        "Demandez au porteur une version sans mot de passe, ou saisissez le mot de passe dans "
        "votre lecteur PDF puis « Imprimer en PDF »."
    )


class EncryptedDocxError(DocumentError):
    code = "encrypted_docx"
    template = "Le fichier « {name} » est un document Word protégé par un mot de passe{detail}."
    default_hint = (
        "Demandez au porteur une version sans mot de passe, ou ouvrez-le avec le mot de passe "
        "puis enregistrez-le en PDF."
    )


class DamagedPdfError(DocumentError):
    code = "damaged_pdf"
    template = "Le fichier « {name} » est un PDF endommagé{detail}."
    default_hint = (
        "Le fichier est peut-être incomplet (téléchargement ou envoi interrompu) : demandez "
        "au porteur de le renvoyer."
    )


class DamagedDocxError(DocumentError):
    code = "damaged_docx"
    template = "Le fichier « {name} » est un document Word (.docx) endommagé{detail}."
    default_hint = (
        "Essayez de l'ouvrir dans Word (qui propose parfois de le réparer) puis enregistrez-le "
        "en PDF, ou demandez au porteur de le renvoyer."
    )


class FormatMismatchError(DocumentError):
    """The extension promises a format the content does not have (e.g. a ".pdf" that is
    a text file, often an error page saved by a browser)."""

    code = "format_mismatch"
    template = "Le fichier « {name} » ne contient pas ce qu'annonce son extension{detail}."
    default_hint = (
        "Le fichier a probablement été mal enregistré ou mal téléchargé : demandez au porteur "
        "de renvoyer la pièce au bon format (PDF de préférence)."
    )


class UnsupportedFormatError(DocumentError):
    code = "unsupported_format"
    template = "Le fichier « {name} » est dans un format qui ne peut pas être lu{detail}."
    default_hint = "Enregistrez-le en PDF ou en Word (.docx), puis déposez-le à nouveau."


class NoTextLayerError(DocumentError):
    code = "no_text_layer"
    template = (
        "Le fichier « {name} » est un PDF image (scan) sans couche texte : il doit passer "
        "par la reconnaissance de caractères (OCR){detail}."
    )
    default_hint = (
        "Passez le fichier dans un logiciel de reconnaissance de caractères (OCR), ou demandez "
        "au porteur le document d'origine (Word ou PDF non scanné)."
    )


class OcrUnavailableError(DocumentError):
    """The file needs OCR (an image, a scanned page) but the Tesseract program or its
    French language data is missing on this machine."""

    code = "ocr_unavailable"
    template = (
        "Le fichier « {name} » doit passer par la reconnaissance de caractères (OCR), mais "
        "le logiciel Tesseract n'est pas disponible sur ce poste{detail} : la pièce n'a pas "
        "été lue et doit être vérifiée à la main."
    )
    default_hint = (
        "Vérifiez cette pièce à la main, ou faites installer les paquets Debian "
        "« tesseract-ocr » et « tesseract-ocr-fra » (make install), puis relancez la lecture."
    )


class ImageTooLargeError(DocumentError):
    """An image whose pixel count exceeds Pillow's decompression-bomb guard: decoding it
    could exhaust the memory, so it is refused before decoding."""

    code = "image_too_large"
    template = "Le fichier « {name} » est une image trop grande pour être lue{detail}."
    default_hint = (
        "Demandez au porteur un scan de taille raisonnable (300 ppp, format A4) ou un PDF, "
        "puis déposez-le à nouveau."
    )


class ReadFailedError(DocumentError):
    """An unexpected failure of a reader on a file that looked valid: kept distinct so a
    bug in the reader is not mistaken for a damaged file."""

    code = "read_failed"
    template = "La lecture du fichier « {name} » a échoué{detail}."
    default_hint = (
        "Signalez ce fichier à l'équipe technique ; en attendant, essayez de l'enregistrer en "
        "PDF et de le déposer à nouveau."
    )


ALL_ERRORS: tuple[type[DocumentError], ...] = (
    NotFoundError,
    UnreadableFileError,
    EmptyFileError,
    EncryptedPdfError,
    EncryptedDocxError,
    DamagedPdfError,
    DamagedDocxError,
    FormatMismatchError,
    UnsupportedFormatError,
    NoTextLayerError,
    OcrUnavailableError,
    ImageTooLargeError,
    ReadFailedError,
)
