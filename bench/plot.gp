# gnuplot -e "dir='build/bench'" bench/plot.gp
set terminal pngcairo size 800,480 noenhanced
set output dir.'/bench.png'
set title 'Guest instructions per operation under scx_simple (QEMU -icount, median, min-max)'
set ylabel 'instructions per op'
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set yrange [0:*]
set key top left
plot dir.'/plot.dat' using 3:4:5:xtic(2) title 'base 6.12', \
     '' using 6:7:8 title 'with the series'
