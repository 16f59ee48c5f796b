// The parts of ECharts the desk draws with, registered once. This module is
// imported only from DeskChart's dynamic import, so the chart library is a
// chunk of its own that only the dashboard screens load.
import * as echarts from 'echarts/core'
import { BarChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export default echarts
