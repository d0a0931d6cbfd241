# gnuplot -e "dir='build/bench'" bench/plot.gp (scripts/host/bench.sh runs it)
set terminal pngcairo size 900,480 noenhanced
set output dir.'/bench.png'
set title 'bpf_object__load(), guest instructions (QEMU -icount, median, min-max)'
set ylabel 'million instructions'
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set xtics rotate by -30
set yrange [0:*]
set offsets 0, 0, graph 0.05, 0
set key below
plot dir.'/plot.dat' using ($3/1e6):($4/1e6):($5/1e6):xtic(2) title 'base 7.3-rc7 (filters)', \
     '' using ($6/1e6):($7/1e6):($8/1e6) title 'with the series (declarations)'
