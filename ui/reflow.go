package ui

import (
	"context"
	"log"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Reflow: nothing on a screen may need more width than a 900 px window leaves beside the
// sidebar. Cards and charts sit in flow grids that drop to fewer columns as the window
// narrows, and charts take the width they are given.

// cardMinWidth is the narrowest a KPI card gets before its grid drops a column.
const cardMinWidth = 220

// chartMinWidth is the narrowest a chart gets before its grid drops a column: go-chart
// centres its title and legend, and narrower than this they run off both edges.
const chartMinWidth = 480

// flowGrid lays its objects out in rows of as many equal columns as fit (at most maxCols),
// each cell at least cellMin wide and as wide as its widest object needs; a row is as tall as
// its tallest object at the cell width, so wrapped captions are measured at the width they get.
type flowGrid struct {
	cellMin float32
	maxCols int
	width   float32 // the width of the last layout: MinSize's height depends on it
}

// newFlowGrid is a container with a flowGrid layout.
func newFlowGrid(cellMin float32, maxCols int, objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flowGrid{cellMin: cellMin, maxCols: maxCols}, objs...)
}

// newCardGrid lays KPI cards out in up to maxCols columns.
func newCardGrid(maxCols int, cards ...fyne.CanvasObject) *fyne.Container {
	return newFlowGrid(cardMinWidth, maxCols, cards...)
}

func visibleObjects(objs []fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, o := range objs {
		if o.Visible() {
			out = append(out, o)
		}
	}
	return out
}

// cell is the minimum cell width: cellMin, or the widest object's minimum when wider.
func (g *flowGrid) cell(objs []fyne.CanvasObject) float32 {
	w := g.cellMin
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return w
}

// columns is how many cells of at least cell fit in width, between 1 and maxCols, evened out
// over the rows that takes: four cards that fit three to a row go two by two, not three and one.
func (g *flowGrid) columns(width, cell float32, n int) int {
	pad := theme.Padding()
	c := max(1, min(int((width+pad)/(cell+pad)), g.maxCols, n))
	rows := (n + c - 1) / c
	return max(1, (n+rows-1)/rows)
}

// rows sizes the objects to the cell width for width and returns each row's height.
func (g *flowGrid) rows(objs []fyne.CanvasObject, width float32) (cols int, cellW float32, heights []float32) {
	pad := theme.Padding()
	cols = g.columns(width, g.cell(objs), len(objs))
	cellW = max((width-pad*float32(cols-1))/float32(cols), g.cell(objs))
	for i := 0; i < len(objs); i += cols {
		h := float32(0)
		for _, o := range objs[i:min(i+cols, len(objs))] {
			if o.Size().Width != cellW {
				o.Resize(fyne.NewSize(cellW, o.MinSize().Height))
			}
			h = max(h, o.MinSize().Height)
		}
		heights = append(heights, h)
	}
	return cols, cellW, heights
}

// Layout places the cells row by row.
func (g *flowGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	g.width = size.Width
	objs = visibleObjects(objs)
	if len(objs) == 0 {
		return
	}
	pad := theme.Padding()
	cols, cellW, heights := g.rows(objs, size.Width)
	y := float32(0)
	for r, h := range heights {
		for j, o := range objs[r*cols : min((r+1)*cols, len(objs))] {
			o.Move(fyne.NewPos(float32(j)*(cellW+pad), y))
			o.Resize(fyne.NewSize(cellW, h))
		}
		y += h + pad
	}
}

// MinSize is one cell wide, and as tall as the rows are at the last laid-out width (every
// object in one row before the first layout).
func (g *flowGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	objs = visibleObjects(objs)
	if len(objs) == 0 {
		return fyne.Size{}
	}
	cell := g.cell(objs)
	width := g.width
	if width <= 0 {
		width = float32(min(g.maxCols, len(objs)))*(cell+theme.Padding()) - theme.Padding()
	}
	_, _, heights := g.rows(objs, width)
	h := theme.Padding() * float32(len(heights)-1)
	for _, rh := range heights {
		h += rh
	}
	return fyne.NewSize(cell, h)
}

// chartView shows a chart PNG at the size the layout gives it. With a render function it
// re-renders at that size whenever it changes (off the UI goroutine); until then, and for
// fixed bytes, the image is scaled to fit with its aspect kept.
type chartView struct {
	widget.BaseWidget
	min    fyne.Size
	img    *canvas.Image
	ctx    context.Context
	render func(w, h int) ([]byte, error)
	name   string
	asked  fyne.Size // pixel size of the last render started
	seq    int       // the latest render; older results are dropped
}

func newChartView(min fyne.Size) *chartView {
	c := &chartView{min: min, img: &canvas.Image{FillMode: canvas.ImageFillContain}, ctx: context.Background()}
	c.ExtendBaseWidget(c)
	return c
}

// SetPNG shows fixed bytes, scaled to the widget.
func (c *chartView) SetPNG(png []byte, name string) {
	c.render = nil
	c.show(png, name)
}

// SetRender shows what render draws at the widget's size in pixels, now and after every
// resize; ctx carries the shell's dispatcher (Shell.Ctx).
func (c *chartView) SetRender(ctx context.Context, name string, render func(w, h int) ([]byte, error)) {
	c.ctx, c.name, c.render, c.asked = ctx, name, render, fyne.Size{}
	c.rerender()
}

func (c *chartView) show(png []byte, name string) {
	c.img.Resource = fyne.NewStaticResource(name, png)
	c.img.Refresh()
}

// Resize lays the chart out and re-renders it at the new size.
func (c *chartView) Resize(size fyne.Size) {
	c.BaseWidget.Resize(size)
	c.rerender()
}

// pixels is the widget's size in device pixels (the canvas scale included).
func (c *chartView) pixels() fyne.Size {
	scale := float32(1)
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
		scale = cv.Scale()
	}
	s := c.Size()
	return fyne.NewSize(float32(int(s.Width*scale)), float32(int(s.Height*scale)))
}

func (c *chartView) rerender() {
	px := c.pixels()
	if c.render == nil || px.Width < 1 || px.Height < 1 || px == c.asked {
		return
	}
	c.asked = px
	c.seq++
	seq, render, name := c.seq, c.render, c.name
	Run(c.ctx, func(context.Context) ([]byte, error) {
		return render(int(px.Width), int(px.Height))
	}, func(png []byte, err error) {
		if seq != c.seq {
			return
		}
		if err != nil {
			log.Printf("render %s: %v", name, err)
			return
		}
		TraceStart("chart shown: " + name)
		c.show(png, name)
	})
}

// CreateRenderer draws the image.
func (c *chartView) CreateRenderer() fyne.WidgetRenderer {
	return &chartRenderer{c: c}
}

type chartRenderer struct{ c *chartView }

func (r *chartRenderer) Layout(size fyne.Size)        { r.c.img.Resize(size) }
func (r *chartRenderer) MinSize() fyne.Size           { return r.c.min }
func (r *chartRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.c.img} }
func (r *chartRenderer) Destroy()                     {}
func (r *chartRenderer) Refresh()                     { r.c.img.Refresh() }

// flexMinWidth is the narrowest a flex column (a name, an email) gets: a few words still show
// before the ellipsis.
const flexMinWidth = 100

// fitColumns lays a table out at the width it is given, all its columns inside it: each column
// is as wide as its widest cell; when they do not all fit, the flex columns give up the width
// missing, the widest first, down to flexMinWidth (or their header's width when wider). The
// other columns (numbers, dates) keep their whole text.
type fitColumns struct {
	table   *widget.Table
	natural []float32 // each column's widest text plus a cell's padding
	least   []float32 // the narrowest each column may get
	widths  []float32 // the column widths of the last layout
}

// newFitColumns is a container laying t out with fitColumns over the texts of head and rows.
func newFitColumns(t *widget.Table, head []string, rows [][]string, flex []int) *fyne.Container {
	pad := 2*theme.InnerPadding() + 1 // a label's padding on both sides, and a pixel for rounding
	f := &fitColumns{table: t, natural: textWidths(head, rows)}
	heads := textWidths(head, nil)
	f.least = make([]float32, len(f.natural))
	for i := range f.natural {
		f.natural[i] += pad
		f.least[i] = f.natural[i]
	}
	for _, i := range flex {
		if i >= 0 && i < len(f.least) {
			f.least[i] = min(f.natural[i], max(float32(flexMinWidth), heads[i]+pad))
		}
	}
	f.widths = append([]float32(nil), f.natural...)
	for i, w := range f.widths {
		t.SetColumnWidth(i, w)
	}
	return container.New(f, t)
}

// Layout fits the columns to size (the table draws a separator of theme padding between two
// columns) and gives the table the whole size.
func (f *fitColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	seps := theme.Padding() * float32(max(len(f.natural)-1, 0))
	f.widths = fitWidths(f.natural, f.least, size.Width-seps)
	for i, w := range f.widths {
		f.table.SetColumnWidth(i, w)
	}
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}

// MinSize is the table's own: narrow, since its columns fit whatever width it gets.
func (f *fitColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) == 0 {
		return fyne.Size{}
	}
	return objs[0].MinSize()
}

// fitWidths is natural when it sums to at most avail; otherwise the columns whose least is
// below their natural width are cut to one level L (a column narrower than L keeps its width,
// none goes below its least) so that the sum is avail, or every such column is at its least
// when even that does not fit.
func fitWidths(natural, least []float32, avail float32) []float32 {
	out := append([]float32(nil), natural...)
	sum := func(level float32) float32 {
		t := float32(0)
		for i, n := range natural {
			t += max(least[i], min(n, level))
		}
		return t
	}
	hi := float32(0)
	for _, n := range natural {
		hi = max(hi, n)
	}
	if sum(hi) <= avail {
		return out
	}
	lo := float32(0)
	for range 40 { // bisection of the level to well under a pixel
		if mid := (lo + hi) / 2; sum(mid) > avail {
			hi = mid
		} else {
			lo = mid
		}
	}
	for i, n := range natural {
		out[i] = float32(int(max(least[i], min(n, lo)))) // whole pixels, never more than fits
		if out[i] < least[i] {
			out[i] = least[i]
		}
	}
	return out
}
