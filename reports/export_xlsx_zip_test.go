package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// streamedBook is a small workbook with a streamed sheet, as the export makes one.
func streamedBook(t *testing.T) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 200; r++ {
		ref, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(ref, []any{r, "name " + strconv.Itoa(r), float64(r) / 4}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("About"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("About", "A1", "dataset"); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDirectZipWritesExcelizesBytes: the zip written straight to the output is byte for byte the
// one excelize assembles in its buffer, and excelize's buffer stays empty.
func TestDirectZipWritesExcelizesBytes(t *testing.T) {
	var want bytes.Buffer
	if err := streamedBook(t).Write(&want); err != nil {
		t.Fatal(err)
	}
	f := streamedBook(t)
	var got, rest bytes.Buffer
	z := newDirectZip(context.Background(), &got)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	if err := f.Write(&rest); err != nil {
		t.Fatal(err)
	}
	if rest.Len() != 0 {
		t.Errorf("excelize's buffer got %d bytes; the zip should go only to the output", rest.Len())
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("direct zip: %d bytes, excelize's: %d, first difference at byte %d", got.Len(), want.Len(), firstDiff(got.Bytes(), want.Bytes()))
	}
	if err := z.patch(nil); err != nil {
		t.Errorf("no part is over 4 GiB, yet patch wants the file: %v", err)
	}
}

// TestDirectZipMarksBigPartsZIP64: a part over the limit (4 GiB, shrunk here) gets version 45
// in its local header, as excelize marks it, and the workbook still opens.
func TestDirectZipMarksBigPartsZIP64(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	f := streamedBook(t)
	z := newDirectZip(context.Background(), out)
	z.limit = 10000 // the streamed sheet is bigger, every other part smaller
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	if err := f.Write(io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := z.patch(nil); err == nil {
		t.Error("patch without a file to seek in did not fail")
	}
	if err := z.patch(out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, p := range zr.File {
		at, err := p.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		header := at - 30 - int64(len(p.Name)) - int64(len(p.Extra))
		version := binary.LittleEndian.Uint16(b[header+4:])
		big := p.UncompressedSize64 > 10000
		if big != (version == 45) {
			t.Errorf("%s: %d bytes, local header version %d", p.Name, p.UncompressedSize64, version)
		}
		if big {
			marked++
		}
	}
	if marked != 1 {
		t.Errorf("%d parts marked ZIP64, want the streamed sheet only", marked)
	}
	g, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if v, _ := g.GetCellValue("Sheet1", "B200"); v != "name 200" {
		t.Errorf("B200 = %q after the patch", v)
	}
}

// chunkCap is the capacity of a StreamWriter's in-memory chunk (-1 when its shape is unknown).
func chunkCap(sw *excelize.StreamWriter) int {
	buf := reflect.ValueOf(sw).Elem().FieldByName("rawData").FieldByName("buf")
	if !buf.IsValid() {
		return -1
	}
	return (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr())).Cap()
}

// TestReleaseChunkBuffer: a flushed sheet that went past excelize's 16 MB chunk keeps no chunk
// buffer once released, and its rows are all in the workbook; a small sheet, whose rows are still
// in the buffer, keeps them.
func TestReleaseChunkBuffer(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	row := []any{strings.Repeat("x", 1000), 1.5}
	write := func(sheet string, rows int) *excelize.StreamWriter {
		if sheet != "Sheet1" {
			if _, err := f.NewSheet(sheet); err != nil {
				t.Fatal(err)
			}
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= rows; r++ {
			ref, _ := excelize.CoordinatesToCellName(1, r)
			if err := sw.SetRow(ref, row); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		return sw
	}
	big, small := write("Sheet1", 20_000), write("Small", 10) // 20 MB of XML, and 10 KB
	if c := chunkCap(big); c < 1<<20 {
		t.Fatalf("before release the big sheet's chunk holds %d bytes; the writer's shape changed", c)
	}
	smallCap := chunkCap(small)
	releaseChunkBuffer(big)
	releaseChunkBuffer(small)
	if c := chunkCap(big); c != 0 {
		t.Errorf("after release the big sheet's chunk holds %d bytes", c)
	}
	if c := chunkCap(small); c != smallCap {
		t.Errorf("the small sheet's chunk, which holds its rows, went from %d to %d bytes", smallCap, c)
	}
	path := filepath.Join(t.TempDir(), "released.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for sheet, last := range map[string]string{"Sheet1": "B20000", "Small": "B10"} {
		if v, _ := g.GetCellValue(sheet, last); v != "1.5" {
			t.Errorf("%s!%s = %q after the release", sheet, last, v)
		}
	}
}
