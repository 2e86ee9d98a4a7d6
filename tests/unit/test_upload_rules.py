"""What an upload may be (domain.uploads): clean file names, extensions that match the content, sizes,
pixel limits, and zip directories that are not bombs."""
from __future__ import annotations

import pytest

from procurement.domain.text import first_forbidden
from procurement.domain.uploads import (
    JPEG,
    MAX_IMAGE_PIXELS,
    MAX_NAME_LENGTH,
    MAX_ZIP_ENTRIES,
    MB,
    PDF,
    PNG,
    FileRefused,
    ZipMember,
    check_extension,
    check_image_size,
    check_size,
    check_zip_members,
    clean_file_name,
    split_extension,
)


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("营业执照.pdf", "营业执照.pdf"),
        ("营业\x00执照.pdf", "营业执照.pdf"),
        ("发票\u202efdp.exe", "发票fdp.exe"),
        ("\ufeff\u200b营业执照\u2060.PDF", "营业执照.pdf"),
        ("a\x1b[31m\r\n\x07b.pdf", "a[31mb.pdf"),
        ("../../../../etc/passwd", "passwd"),
        ("C:\\Users\\扎西\\Desktop\\开户许可证.jpg", "开户许可证.jpg"),
        ('报价<单>:"终稿"?|*.xlsx', "报价 单 终稿.xlsx"),
        ("  扫描件  　 第一页 .pdf", "扫描件 第一页.pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("e\u0301.png", "\u00e9.png"),  # NFC: one character, as the name is shown
        ("报价.说明", "报价.说明"),  # a Chinese "extension" is part of the name
    ],
)
def test_file_names_are_cleaned(name, clean):
    assert clean_file_name(name) == clean


def test_a_long_name_is_cut_keeping_its_extension():
    name = clean_file_name("长" * 300 + ".pdf")
    assert len(name) == MAX_NAME_LENGTH and name.endswith("长.pdf")
    assert len(clean_file_name("x" * 300, ".docx")) == MAX_NAME_LENGTH


def test_the_content_decides_the_stored_extension():
    assert clean_file_name("IMG_2041.JPEG", ".jpg") == "IMG_2041.jpg"
    assert clean_file_name("报价.说明", ".pdf") == "报价.说明.pdf"
    assert clean_file_name(".pdf", ".pdf") == "pdf.pdf"


def test_no_cleaned_name_carries_a_character_a_field_refuses():
    hostile = "".join(chr(c) for c in range(0, 0x30)) + "\u202a\u202e\u2066\u2069\u200b\u200e\ufeff\u2028\U000e0041名.pdf"
    cleaned = clean_file_name(hostile)
    assert first_forbidden(cleaned) is None and "/" not in cleaned and "\\" not in cleaned
    assert cleaned.endswith("名.pdf")


@pytest.mark.parametrize(("name", "parts"), [("a.pdf", ("a", ".pdf")), ("a.tar.gz", ("a.tar", ".gz")), ("说明", ("说明", "")), (".env", (".env", ""))])
def test_only_a_short_ascii_suffix_is_an_extension(name, parts):
    assert split_extension(name) == parts


@pytest.mark.parametrize(("name", "mime"), [("scan.pdf", PDF), ("photo.JPG", JPEG), ("photo.jfif", JPEG), ("seal.png", PNG), ("seal", PNG)])
def test_an_extension_of_the_content_or_none_is_fine(name, mime):
    check_extension(name, mime)


@pytest.mark.parametrize(("name", "mime"), [("scan.pdf", PNG), ("seal.png", PDF), ("photo.exe", JPEG), ("a.html", PNG)])
def test_an_extension_of_another_type_is_refused_naming_the_content(name, mime):
    with pytest.raises(FileRefused) as refused:
        check_extension(name, mime)
    assert refused.value.code == "wrong_extension" and refused.value.params["name"] == name


def test_empty_and_oversize_files_are_refused_with_the_limit():
    check_size(1, 10 * MB, "a.pdf")
    check_size(10 * MB, 10 * MB, "a.pdf")
    with pytest.raises(FileRefused) as empty:
        check_size(0, 10 * MB, "a.pdf")
    with pytest.raises(FileRefused) as big:
        check_size(10 * MB + 1, 10 * MB, "a.pdf")
    assert (empty.value.code, big.value.code, big.value.params["mb"]) == ("file_empty", "file_too_large", 10)
    assert str(big.value) == "文件“a.pdf”过大：单个文件不能超过 10 MB。"


def test_the_pixel_limit_is_forty_megapixels():
    check_image_size(8000, 5000, "a.png")
    with pytest.raises(FileRefused) as refused:
        check_image_size(20000, 20000, "a.png")
    assert refused.value.code == "image_too_large" and "20000×20000" in str(refused.value) and MAX_IMAGE_PIXELS == 40_000_000
    with pytest.raises(FileRefused):
        check_image_size(8001, 5000, "a.png")
    with pytest.raises(FileRefused):
        check_image_size(0, 10, "a.png")


def _members(*sizes):
    return [ZipMember(f"part{n}.xml", compressed, uncompressed) for n, (compressed, uncompressed) in enumerate(sizes)]


def test_an_ordinary_office_zip_passes():
    check_zip_members(_members((20_000, 200_000), (900_000, 12 * MB), (300, 2_000)), "a.docx")
    check_zip_members(_members(*[(100, 500)] * MAX_ZIP_ENTRIES), "a.xlsx")
    # Below a megabyte a part may compress as well as it likes (an empty sheet's XML, say).
    check_zip_members(_members((100, 900_000)), "a.xlsx")


@pytest.mark.parametrize(
    ("members", "code"),
    [
        (_members(*[(10, 10)] * (MAX_ZIP_ENTRIES + 1)), "zip_entries"),
        (_members((30 * MB, 51 * MB)), "zip_too_large"),
        (_members(*[(20 * MB, 45 * MB)] * 3), "zip_too_large"),
        (_members((30_000, 30 * MB)), "zip_ratio"),
        (_members((1, 2 * MB)), "zip_ratio"),
        (_members((0, 2 * MB)), "zip_ratio"),
    ],
    ids=["entries", "part", "total", "ratio", "ratio-tiny", "nothing-stored"],
)
def test_zip_bombs_are_refused_from_the_directory(members, code):
    with pytest.raises(FileRefused) as refused:
        check_zip_members(members, "询比价文件.docx")
    assert refused.value.code == code and "询比价文件.docx" in str(refused.value)
