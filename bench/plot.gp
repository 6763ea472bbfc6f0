# plot.gp - open time and lookup cost against range count, log-log, from dmpbench's CSV.
# SPDX-License-Identifier: MIT
# gnuplot -e "sorted_csv='S.csv'; full_csv='F.csv'; png='bench.png'" bench/plot.gp
# bench/plot.sh splits one results.csv into the two files and runs this.
set datafile separator ','
set terminal pngcairo size 1200,520 font ',10'
set output png
set multiplot layout 1,2 title 'dmpread on synthetic full-memory dumps (medians)'
set logscale xy
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set format x '10^{%L}'
set xlabel 'ranges in the index'
set key top left box opaque

set title 'dmp\_open in a fresh process'
set ylabel 'milliseconds'
plot sorted_csv using 'ranges':'open_ms' with linespoints pt 7 lw 2 title 'dmp\_open, Memory64 only', \
     full_csv using 'ranges':'open_ms' with linespoints pt 5 lw 2 title 'dmp\_open, + 16 stacks listed first', \
     sorted_csv using 'ranges':'cli_ms' with linespoints pt 6 dt 2 title 'whole dmpread ADDR 8, Memory64 only', \
     full_csv using 'ranges':'cli_ms' with linespoints pt 4 dt 2 title 'whole dmpread ADDR 8, + stacks', \
     sorted_csv using 'ranges':'desc_pass_ms' with linespoints pt 1 dt 3 title 'one bare pass over the descriptors', \
     sorted_csv using 'ranges':(column('ranges') * 1e-4) with lines lc rgb '#999999' dt 4 title 'linear (100 ns/range)'

set title 'lookup at random addresses (throughput, ns per call)'
set ylabel 'nanoseconds'
set key top left
plot sorted_csv using 'ranges':'read8_ns' with linespoints pt 7 lw 2 title 'dmp\_read\_memory 8 B, captured', \
     sorted_csv using 'ranges':'miss8_ns' with linespoints pt 5 title 'dmp\_read\_memory 8 B, uncovered', \
     sorted_csv using 'ranges':'find_ns' with linespoints pt 9 title 'dmp\_range\_find', \
     sorted_csv using 'ranges':'eytz_ns' with linespoints pt 6 dt 2 title 'Eytzinger (bench experiment)', \
     sorted_csv using 'ranges':'buckets_ns' with linespoints pt 4 dt 2 title 'radix buckets (bench experiment)', \
     sorted_csv using 'ranges':'raw8_ns' with linespoints pt 1 dt 3 title '8 B load, no lookup (floor)', \
     100 with lines lc rgb '#cc0000' dt 4 title 'target 100 ns'
unset multiplot
